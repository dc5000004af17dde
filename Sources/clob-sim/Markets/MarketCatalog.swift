import Shared

/// The markets a simulator instance trades, with lookups by condition id, token and slug.
struct MarketCatalog {
    private(set) var markets: [SimMarket] = []
    private var byToken: [TokenID: Int] = [:]

    mutating func add(_ market: SimMarket) {
        markets.append(market)
        for token in market.tokens { byToken[token] = markets.count - 1 }
    }

    func market(for token: TokenID) -> SimMarket? { byToken[token].map { markets[$0] } }

    mutating func update(conditionID: String, _ change: (inout SimMarket) -> Void) {
        guard let index = markets.firstIndex(where: { $0.conditionID == conditionID }) else { return }
        change(&markets[index])
    }
    func market(conditionID: String) -> SimMarket? { markets.first { $0.conditionID.lowercased() == conditionID.lowercased() } }
    func market(slug: String) -> SimMarket? { markets.first { $0.slug == slug } }

    /// A binary market whose ids are derived from its slug (reproducible across runs).
    static func binary(slug: String, question: String, outcomes: [String] = ["Up", "Down"], tick: TickSize = .hundredth,
                       minimumSize: Shares = Shares(micros: 5_000_000), negRisk: Bool = false,
                       version: ExchangeVersion = .v2) -> SimMarket {
        let condition = Hex.encode(Keccak256.hash(utf8: "condition:" + slug))
        let tokens = outcomes.map { outcome in
            // 77–78 decimal digits like real token ids; the top bits keep it clear of the
            // Protocol-V2 position-id shape unless the market is a V3 market.
            var bytes = Keccak256.hash(utf8: "token:\(slug):\(outcome)")
            bytes[0] |= 0x80
            var word: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)
            for index in 0..<8 {
                word.0 = word.0 << 8 | UInt64(bytes[index])
                word.1 = word.1 << 8 | UInt64(bytes[8 + index])
                word.2 = word.2 << 8 | UInt64(bytes[16 + index])
                word.3 = word.3 << 8 | UInt64(bytes[24 + index])
            }
            let decimal = UInt256.fromWords(word)
            return TokenID(decimal)
        }
        return SimMarket(conditionID: condition, question: question, slug: slug, outcomes: outcomes, tokens: tokens, tick: tick,
                         minimumSize: minimumSize, negRisk: negRisk, exchangeVersion: version)
    }

    /// The fixed set unit tests and the interop test use.
    static func staticSet() -> MarketCatalog {
        var catalog = MarketCatalog()
        catalog.add(binary(slug: "sim-static-updown", question: "Will the sim's reference price end up?"))
        catalog.add(binary(slug: "sim-static-fine-tick", question: "A market on the 0.001 grid", outcomes: ["Yes", "No"], tick: .thousandth))
        catalog.add(binary(slug: "sim-static-negrisk", question: "A neg-risk market", outcomes: ["Yes", "No"], negRisk: true))
        catalog.add(binary(slug: "sim-static-half-cent", question: "A market on the 0.005 grid", outcomes: ["Yes", "No"], tick: .fiveThousandths))
        // Crypto Up/Down fees and the taker delay on a market that never moves by itself:
        // what the interop test charges a fee on. Fee-free under the simple profile.
        var crypto = binary(slug: "sim-static-crypto-fees", question: "A static market with crypto Up/Down fees and the taker delay")
        crypto.fees = .cryptoUpDown
        crypto.takerDelay = true
        catalog.add(crypto)
        return catalog
    }
}
