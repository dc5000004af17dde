import PolypipeCore
/// One price level of a book: `size` shares resting at `price`.
public struct PriceLevel: Sendable, Hashable {
    public let price: Price
    public let size: Shares

    public init(price: Price, size: Shares) {
        self.price = price
        self.size = size
    }
}

/// `GET /book` (spec §4.4): a full snapshot of one token's book.
///
/// The venue lists bids ascending and asks descending (best last); ``bestBid`` and ``bestAsk``
/// do not rely on that order.
public struct OrderBookSummary: Sendable, Hashable {
    public let market: String
    public let tokenID: TokenID
    /// Milliseconds, as the venue stamped it.
    public let timestamp: String
    public let hash: String
    public let bids: [PriceLevel]
    public let asks: [PriceLevel]
    public let minOrderSize: Shares?
    public let tickSize: TickSize?
    public let negRisk: Bool?
    public let lastTradePrice: Price?

    public var bestBid: PriceLevel? { bids.max { $0.price < $1.price } }
    public var bestAsk: PriceLevel? { asks.min { $0.price < $1.price } }

    /// Halfway between the best bid and the best ask (rounded down to a micro-unit); nil when a
    /// side is empty.
    public var mid: Price? {
        guard let bid = bestBid?.price, let ask = bestAsk?.price else { return nil }
        return Price(micros: (bid.micros + ask.micros) / 2)
    }

    /// Parses the venue's JSON.
    /// - Throws: ``ClobError/unknown(_:)`` naming the field that could not be read.
    public init(json: JSONValue) throws(ClobError) {
        let object = try WireObject(json, context: "book")
        market = object.text("market") ?? ""
        tokenID = try object.tokenID("asset_id")
        timestamp = object.text("timestamp") ?? ""
        hash = object.text("hash") ?? ""
        bids = try Self.levels(object, "bids")
        asks = try Self.levels(object, "asks")
        if let raw = object.text("min_order_size"), !raw.isEmpty {
            do { minOrderSize = try Shares(raw) } catch { throw object.fail("min_order_size", error.description) }
        } else {
            minOrderSize = nil
        }
        if let raw = object.text("tick_size"), !raw.isEmpty {
            guard let tick = TickSize(text: raw) else { throw object.fail("tick_size", "\(raw) is not a known tick size") }
            tickSize = tick
        } else {
            tickSize = nil
        }
        negRisk = object.bool("neg_risk")
        lastTradePrice = try object.optionalPrice("last_trade_price")
    }

    private static func levels(_ object: WireObject, _ key: String) throws(ClobError) -> [PriceLevel] {
        var levels: [PriceLevel] = []
        for (index, entry) in try object.array(key).enumerated() {
            let level = try WireObject(entry, context: "book.\(key)[\(index)]")
            levels.append(PriceLevel(price: try level.price("price"), size: try level.shares("size")))
        }
        return levels
    }
}
