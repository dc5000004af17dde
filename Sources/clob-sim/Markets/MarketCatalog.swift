import PolypipeCore
import VenueClient

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

    /// A binary market whose ids are derived from its slug (reproducible across runs): CTF token
    /// ids for a V2 market, Protocol-V2 position ids for a V3 (ExchangeV3) market.
    static func binary(slug: String, question: String, outcomes: [String] = ["Up", "Down"], tick: TickSize = .hundredth,
                       minimumSize: Shares = Shares(micros: 5_000_000), negRisk: Bool = false,
                       version: ExchangeVersion = .v2) -> SimMarket {
        let condition = Hex.encode(Keccak256.hash(utf8: "condition:" + slug))
        let tokens = outcomes.enumerated().map { index, outcome in
            tokenID(Keccak256.hash(utf8: "token:\(slug):\(outcome)"), version: version, outcomeIndex: index)
        }
        return SimMarket(conditionID: condition, question: question, slug: slug, outcomes: outcomes, tokens: tokens, tick: tick,
                         minimumSize: minimumSize, negRisk: negRisk, exchangeVersion: version)
    }

    /// A token id from 32 hash bytes, 77–78 decimal digits like real ids.
    ///
    /// - V2: the top bit is set, which keeps bits 40..103 from all being zero in practice, so the
    ///   id is never mistaken for a position id.
    /// - V3: the Protocol-V2 position-id shape (spec §1.8): top byte the module id (1, binary),
    ///   bits 40..103 zero, lowest byte the outcome index (``TokenID/isProtocolV2Position``).
    static func tokenID(_ hash: [UInt8], version: ExchangeVersion, outcomeIndex: Int) -> TokenID {
        var bytes = hash
        bytes[0] |= 0x80
        var word: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)
        for index in 0..<8 {
            word.0 = word.0 << 8 | UInt64(bytes[index])
            word.1 = word.1 << 8 | UInt64(bytes[8 + index])
            word.2 = word.2 << 8 | UInt64(bytes[16 + index])
            word.3 = word.3 << 8 | UInt64(bytes[24 + index])
        }
        if version == .v3 {
            let low40: UInt64 = (1 << 40) - 1
            word.0 = word.0 & ~(0xFF << 56) | 1 << 56                 // module id 1: binary
            word.2 &= ~low40                                          // bits 64..103
            word.3 = word.3 & low40 & ~0xFF | UInt64(outcomeIndex & 0xFF)  // bits 40..63 zero; outcome
        }
        return TokenID(UInt256.fromWords(word))
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
        // A Protocol-V2 market: position ids as token ids, orders signed for ExchangeV3 (domain "3").
        catalog.add(binary(slug: "sim-static-v3", question: "A Protocol-V2 (ExchangeV3) market", outcomes: ["Yes", "No"], version: .v3))
        return catalog
    }
}
