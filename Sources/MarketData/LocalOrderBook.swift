import PolypipeCore
import VenueClient
/// One token's order book as the market channel describes it (spec §5.1), kept locally.
///
/// - A `book` message replaces everything (``replace(bids:asks:)``).
/// - A `price_change` entry sets the **total** size at one level; size 0 removes the level
///   (``setLevel(side:price:size:)``).
/// - A `tick_size_change` makes the book untrustworthy until the next snapshot
///   (``invalidate()``): best prices read nil until then, so no decision is taken on a stale
///   grid.
///
/// Prices and sizes are exact micro-units. Not thread-safe (a value type).
public struct LocalOrderBook: Sendable, Hashable {
    public let tokenID: TokenID
    /// price micros → size micros
    public private(set) var bids: [UInt64: UInt64] = [:]
    public private(set) var asks: [UInt64: UInt64] = [:]
    /// False from creation and after ``invalidate()`` until the next snapshot.
    public private(set) var isValid = false
    /// The tick in force, when a snapshot or tick change said so.
    public private(set) var tickSize: TickSize?

    public init(tokenID: TokenID) { self.tokenID = tokenID }

    /// Replaces the whole book with a snapshot.
    public mutating func replace(bids newBids: [PriceLevel], asks newAsks: [PriceLevel], tickSize tick: TickSize? = nil) {
        bids = [:]
        asks = [:]
        for level in newBids where level.size.micros > 0 { bids[level.price.micros, default: 0] += level.size.micros }
        for level in newAsks where level.size.micros > 0 { asks[level.price.micros, default: 0] += level.size.micros }
        if let tick { tickSize = tick }
        isValid = true
    }

    /// Sets the total size resting at `price` on `side` (BUY = bid level, SELL = ask level);
    /// zero removes the level. Ignored while the book is invalid (a snapshot will replace it).
    public mutating func setLevel(side: Side, price: Price, size: Shares) {
        guard isValid else { return }
        switch (side, size.micros) {
        case (.buy, 0): bids[price.micros] = nil
        case (.buy, let amount): bids[price.micros] = amount
        case (.sell, 0): asks[price.micros] = nil
        case (.sell, let amount): asks[price.micros] = amount
        }
    }

    /// Drops the book until the next snapshot (tick size changed, or the feed reconnected).
    public mutating func invalidate(newTick: TickSize? = nil) {
        bids = [:]
        asks = [:]
        isValid = false
        if let newTick { tickSize = newTick }
    }

    /// The highest bid, nil when there is none or the book is invalid.
    public var bestBid: PriceLevel? {
        guard isValid, let price = bids.keys.max() else { return nil }
        return PriceLevel(price: Price(micros: price), size: Shares(micros: bids[price] ?? 0))
    }

    /// The lowest ask, nil when there is none or the book is invalid.
    public var bestAsk: PriceLevel? {
        guard isValid, let price = asks.keys.min() else { return nil }
        return PriceLevel(price: Price(micros: price), size: Shares(micros: asks[price] ?? 0))
    }

    /// `(best bid + best ask) / 2`, rounded down to a micro-unit; nil unless both sides exist.
    public var mid: Price? {
        guard let bid = bestBid, let ask = bestAsk else { return nil }
        return Price(micros: (bid.price.micros + ask.price.micros) / 2)
    }
}
