import PolypipeCore
import VenueClient
/// One market-channel message (spec §5.1), parsed into exact values.
///
/// The channel sends JSON objects (or arrays of them, split by ``ClobStream``) with an
/// `event_type`. Prices and sizes are decimal strings and become ``Price``/``Shares``.
public enum MarketEvent: Sendable, Hashable {
    /// A full snapshot that replaces the local book of `tokenID`.
    case book(tokenID: TokenID, bids: [PriceLevel], asks: [PriceLevel], tickSize: TickSize?)
    /// Level updates: each sets the total size at one level of one token (0 removes it).
    case priceChange([LevelChange])
    /// The token's tick changed: drop its book until the next `book`.
    case tickSizeChange(tokenID: TokenID, newTick: TickSize)
    /// A trade printed at `price` (informational).
    case lastTradePrice(tokenID: TokenID, price: Price)

    /// One entry of a `price_change`'s `price_changes` array.
    public struct LevelChange: Sendable, Hashable {
        public let tokenID: TokenID
        /// BUY = a bid level, SELL = an ask level.
        public let side: Side
        public let price: Price
        /// The new total size at the level; zero removes it.
        public let size: Shares

        public init(tokenID: TokenID, side: Side, price: Price, size: Shares) {
            self.tokenID = tokenID
            self.side = side
            self.price = price
            self.size = size
        }
    }

    /// Parses one message.
    /// - Throws: ``MarketDataError/unsupported(_:)`` for event types this build ignores
    ///   (`best_bid_ask`, `new_market`, …) and for `PONG`-like non-objects;
    ///   ``MarketDataError/badField(context:field:reason:)`` naming a bad field.
    public init(json: JSONValue) throws(MarketDataError) {
        guard case .object = json else { throw .unsupported("a market frame that is \(json.kindName)") }
        let message = try MarketDataObject(json, context: "market")
        let type = try message.text("event_type")
        switch type {
        case "book":
            let book = try MarketDataObject(json, context: "book")
            let token = try book.tokenID("asset_id")
            var tick: TickSize?
            if let raw = book.optionalText("tick_size"), !raw.isEmpty {
                guard let parsed = TickSize(text: raw) else { throw book.fail("tick_size", "\"\(raw)\" is not a known tick size") }
                tick = parsed
            }
            self = .book(tokenID: token, bids: try Self.levels(book, "bids"), asks: try Self.levels(book, "asks"), tickSize: tick)
        case "price_change":
            let change = try MarketDataObject(json, context: "price_change")
            var changes: [LevelChange] = []
            for (index, entry) in try change.array("price_changes").enumerated() {
                let level = try MarketDataObject(entry, context: "price_change.price_changes[\(index)]")
                let sideText = try level.text("side")
                guard let side = Side(text: sideText) else { throw level.fail("side", "\"\(sideText)\" is neither BUY nor SELL") }
                changes.append(LevelChange(tokenID: try level.tokenID("asset_id"), side: side,
                                           price: try level.price("price"), size: try level.shares("size")))
            }
            self = .priceChange(changes)
        case "tick_size_change":
            let change = try MarketDataObject(json, context: "tick_size_change")
            let raw = try change.text("new_tick_size")
            guard let tick = TickSize(text: raw) else { throw change.fail("new_tick_size", "\"\(raw)\" is not a known tick size") }
            self = .tickSizeChange(tokenID: try change.tokenID("asset_id"), newTick: tick)
        case "last_trade_price":
            let trade = try MarketDataObject(json, context: "last_trade_price")
            self = .lastTradePrice(tokenID: try trade.tokenID("asset_id"), price: try trade.price("price"))
        default:
            throw .unsupported("event_type \(type)")
        }
    }

    private static func levels(_ object: MarketDataObject, _ key: String) throws(MarketDataError) -> [PriceLevel] {
        var levels: [PriceLevel] = []
        for (index, entry) in try object.array(key).enumerated() {
            let level = try MarketDataObject(entry, context: "book.\(key)[\(index)]")
            levels.append(PriceLevel(price: try level.price("price"), size: try level.shares("size")))
        }
        return levels
    }
}
