import PolypipeCore

/// The built-in agents that make the sim's Up/Down markets live. They trade through the same
/// engine and rules as clients (never held by the taker delay), from their own funded accounts;
/// their orders carry the owner `agent` and no user-channel events.
///
/// - **Market makers** bid for each outcome on a ladder below its fair probability (a bid for
///   one outcome at p is an ask for the other at 1 − p, so both sides of both books fill).
///   Under ``SimProfile/realistic``: ``SimProfile/ladderLevels`` levels one tick apart, seeded
///   sizes that grow with depth, and a half-spread that widens from 1 to 3 cents as the window
///   runs out (less time, more risk per share). Quotes are replaced once per sim second.
/// - **Takers** (realistic only): now and then a FAK BUY of one outcome for a seeded size, a few
///   ticks through the best ask, so levels get consumed and books are not always full.
/// - The **sniper** (both profiles): takes client orders better than fair by ``takeEdge``, so
///   resting client orders fill too.
///
/// Everything is integer micro-units and reproducible from the seed.
struct MarketMaker: Sendable {
    static let owner = "agent"
    /// The market makers' account.
    let account: EthereumAddress
    /// The takers' account (apart from the makers', so their trades are real transfers).
    let takerAccount: EthereumAddress
    var accounts: [EthereumAddress] { [account, takerAccount] }
    let profile: SimProfile
    /// Distance of the best bid from fair value under ``SimProfile/simple``.
    let simpleHalfSpread: UInt64 = 20_000
    /// Shares per quote under ``SimProfile/simple``.
    let simpleQuoteSize: UInt64 = 100_000_000
    /// How much better than fair a client order must be before the sniper hits it.
    let takeEdge: UInt64 = 10_000
    /// Chance (parts per million, per market and sim second) that a taker trades.
    let takerPartsPerMillion: UInt64 = 300_000
    private var counter: UInt64 = 0
    private var random: SplitMix64
    /// The sim second each market was last requoted in, by condition id.
    private var quotedSecond: [String: Int64] = [:]
    let seed: UInt64

    init(seed: UInt64, profile: SimProfile = .realistic) {
        self.seed = seed
        self.profile = profile
        random = SplitMix64(seed: seed ^ 0xA6E7_5EED)
        account = Self.address("clob-sim agent \(seed)")
        takerAccount = Self.address("clob-sim taker \(seed)")
    }

    private static func address(_ label: String) -> EthereumAddress {
        (try? EthereumAddress(Hex.encode(Keccak256.hash(utf8: label).suffix(20)))) ?? .zero
    }

    private mutating func nextID() -> String {
        counter += 1
        return Hex.encode(Keccak256.hash(utf8: "agent:\(seed):\(counter)"))
    }

    /// A seeded draw in `range`.
    private mutating func draw(_ range: ClosedRange<UInt64>) -> UInt64 {
        range.lowerBound + random.next() % (range.upperBound - range.lowerBound + 1)
    }

    /// One quote: price and size in micro-units.
    struct Quote: Equatable {
        let price: UInt64
        let size: UInt64
    }

    /// The bids for an outcome worth `fair` (micro-units), best first, with `remaining` of the
    /// window's `length` seconds left.
    mutating func ladder(fair: UInt64, tick: UInt64, remaining: Int64, length: Int64) -> [Quote] {
        guard profile.ladderLevels > 1 else {
            guard fair > simpleHalfSpread + tick else { return [] }
            return [Quote(price: (fair - simpleHalfSpread) / tick * tick, size: simpleQuoteSize)]
        }
        // 1 cent with the whole window ahead, 3 cents at its end.
        let elapsed = UInt64(max(0, min(length, length - remaining)))
        let halfSpread = 10_000 + 20_000 * elapsed / UInt64(max(length, 1))
        var quotes: [Quote] = []
        for level in 0..<UInt64(profile.ladderLevels) {
            let offset = halfSpread + level * tick
            guard fair > offset + tick else { break }
            let price = (fair - offset) / tick * tick
            // Whole multiples of 10 shares keep every amount on the 2-decimal grid.
            let size = draw(1...5) * 10_000_000 * (1 + level / 2)
            quotes.append(Quote(price: price, size: size))
        }
        return quotes
    }

    /// Whether `market`'s makers requote now: once per sim second, each market at its own
    /// seeded moment up to ``SimProfile/requotePhaseMillis`` into the second; at once for a
    /// market never quoted, or when a whole second went by between two ticks.
    mutating func requoteDue(_ market: SimMarket, nowMillis: Int64) -> Bool {
        let second = nowMillis / 1000
        guard let last = quotedSecond[market.conditionID] else {
            quotedSecond[market.conditionID] = second
            return true
        }
        let phase = Int64(Keccak256.hash(utf8: "phase:\(seed):\(market.conditionID)")[0]) * profile.requotePhaseMillis / 255
        guard second > last, nowMillis % 1000 >= phase || second > last + 1 else { return false }
        quotedSecond[market.conditionID] = second
        return true
    }

    /// Replaces the agents' quotes in `market` around `fair` (micro-units, probability of the
    /// first outcome), lets a taker trade now and then, then takes mispriced client orders.
    mutating func requote(_ market: SimMarket, fair: UInt64, nowSeconds: Int64, engine: inout MatchingEngine, nowMillis: Int64) {
        for order in engine.openOrders(on: market.tokens) where order.owner == Self.owner {
            _ = engine.cancel(order.id, owner: Self.owner)
            engine.forget(order.id)
        }
        let tick = UInt64(market.tick.value.units(atScale: 6) ?? 10_000)
        let fairs = [fair, 1_000_000 - fair]
        let length = market.window.map { $0.upperBound - $0.lowerBound } ?? 1
        let remaining = market.window.map { min(length, $0.upperBound - nowSeconds) } ?? length
        for (index, token) in market.tokens.enumerated() {
            for quote in ladder(fair: fairs[index], tick: tick, remaining: remaining, length: length) {
                place(market, token: token, side: .buy, price: quote.price, size: quote.size, type: .gtc, from: account,
                      engine: &engine, nowMillis: nowMillis)
            }
        }
        if profile.takers, draw(0...999_999) < takerPartsPerMillion {
            let index = Int(draw(0...1))
            let limit = min(fairs[index] + 30_000, 1_000_000 - tick) / tick * tick
            place(market, token: market.tokens[index], side: .buy, price: limit, size: draw(1...6) * 10_000_000, type: .fak,
                  from: takerAccount, engine: &engine, nowMillis: nowMillis)
        }
        // Take client orders that are mispriced against fair.
        for order in engine.openOrders(on: market.tokens) where order.owner != Self.owner {
            guard let index = market.tokens.firstIndex(of: order.token) else { continue }
            let value = fairs[index]
            if order.side == .buy ? order.price >= value + takeEdge : order.price + takeEdge <= value {
                take(order, in: market, engine: &engine, nowMillis: nowMillis)
            }
        }
    }

    /// Fills what is left of a resting client order at its own price: a BUY by buying the
    /// other outcome (a mint), a SELL by buying it. `only`: against that order alone, not
    /// whatever rests at a better price first.
    mutating func take(_ order: SimOrder, in market: SimMarket, only: Bool = false, engine: inout MatchingEngine, nowMillis: Int64) {
        if order.side == .buy, let sibling = market.sibling(of: order.token) {
            place(market, token: sibling, side: .buy, price: 1_000_000 - order.price, size: order.remaining, type: .fak,
                  from: account, against: only ? order.id : nil, engine: &engine, nowMillis: nowMillis)
        } else if order.side == .sell {
            place(market, token: order.token, side: .buy, price: order.price, size: order.remaining, type: .fak,
                  from: account, against: only ? order.id : nil, engine: &engine, nowMillis: nowMillis)
        }
    }

    private mutating func place(_ market: SimMarket, token: TokenID, side: Side, price: UInt64, size: UInt64, type: OrderType,
                                from maker: EthereumAddress, against: String? = nil, engine: inout MatchingEngine, nowMillis: Int64) {
        let collateral = Collateral.cost(of: Shares(micros: size), at: Price(micros: price), rounding: .down).micros
        var incoming = MatchingEngine.Incoming(id: nextID(), owner: Self.owner, maker: maker, market: market, token: token, side: side,
                                               makerAmount: side == .buy ? collateral : size, takerAmount: side == .buy ? size : collateral,
                                               orderType: type, postOnly: false, expiration: 0)
        incoming.skipsTakerDelay = true
        incoming.onlyAgainst = against
        _ = try? engine.place(incoming, nowMillis: nowMillis)  // a quote the rules refuse is simply not made
    }
}
