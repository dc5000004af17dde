import Shared

/// The built-in agents that make the sim's markets tradable: a market maker that keeps a bid
/// on each outcome around the fair probability (so marketable client orders fill by minting
/// against it), and a taker that hits client orders priced better than fair (so resting client
/// orders fill too). Agents trade through the same engine and rules as clients, from their own
/// funded account; their orders carry the owner `agent`.
struct MarketMaker: Sendable {
    static let owner = "agent"
    /// The agents' account.
    let account: EthereumAddress
    /// Distance of each bid from fair value (micro-units of price).
    let halfSpread: UInt64 = 20_000
    /// Shares per quote.
    let quoteSize: UInt64 = 100_000_000
    /// How much better than fair a client order must be before the taker hits it.
    let takeEdge: UInt64 = 10_000
    private var counter: UInt64 = 0
    let seed: UInt64

    init(seed: UInt64) {
        self.seed = seed
        let bytes = Keccak256.hash(utf8: "clob-sim agent \(seed)")
        account = (try? EthereumAddress(Hex.encode(bytes.suffix(20)))) ?? .zero
    }

    private mutating func nextID() -> String {
        counter += 1
        return Hex.encode(Keccak256.hash(utf8: "agent:\(seed):\(counter)"))
    }

    /// Replaces the agent's quotes in `market` around `fair` (micro-units, probability of the
    /// first outcome), then takes client orders that are better than fair by the edge.
    mutating func requote(_ market: SimMarket, fair: UInt64, engine: inout MatchingEngine, nowMillis: Int64) {
        for order in engine.openOrders(on: market.tokens) where order.owner == Self.owner {
            _ = engine.cancel(order.id, owner: Self.owner)
            engine.forget(order.id)
        }
        let tick = UInt64(market.tick.value.units(atScale: 6) ?? 10_000)
        let fairs = [fair, 1_000_000 - fair]
        for (index, token) in market.tokens.enumerated() {
            guard fairs[index] > halfSpread + tick else { continue }
            let bid = (fairs[index] - halfSpread) / tick * tick
            place(market, token: token, side: .buy, price: bid, size: quoteSize, type: .gtc, engine: &engine, nowMillis: nowMillis)
        }
        // Take client orders that are mispriced against fair.
        for order in engine.openOrders(on: market.tokens) where order.owner != Self.owner {
            guard let index = market.tokens.firstIndex(of: order.token) else { continue }
            let value = fairs[index]
            if order.side == .buy, order.price >= value + takeEdge, let sibling = market.sibling(of: order.token) {
                // The client pays more than fair: mint against it by buying the other outcome.
                place(market, token: sibling, side: .buy, price: 1_000_000 - order.price, size: order.remaining, type: .fak,
                      engine: &engine, nowMillis: nowMillis)
            } else if order.side == .sell, order.price + takeEdge <= value {
                place(market, token: order.token, side: .buy, price: order.price, size: order.remaining, type: .fak,
                      engine: &engine, nowMillis: nowMillis)
            }
        }
    }

    private mutating func place(_ market: SimMarket, token: TokenID, side: Side, price: UInt64, size: UInt64, type: OrderType,
                                engine: inout MatchingEngine, nowMillis: Int64) {
        let collateral = UInt64((UInt128(size) * UInt128(price)) / 1_000_000)
        let incoming = MatchingEngine.Incoming(id: nextID(), owner: Self.owner, maker: account, market: market, token: token, side: side,
                                               makerAmount: side == .buy ? collateral : size, takerAmount: side == .buy ? size : collateral,
                                               orderType: type, postOnly: false, expiration: 0)
        _ = try? engine.place(incoming, nowMillis: nowMillis)  // a quote the rules refuse is simply not made
    }
}
