import PolypipeCore
import VenueClient
/// The local books of a set of tokens (one Up/Down market's two outcomes), fed by
/// ``MarketEvent``s and REST snapshots.
///
/// Events for tokens outside the set are ignored (the venue may still deliver a few for an
/// unsubscribed market). Not thread-safe (a value type).
public struct OrderBooks: Sendable {
    public private(set) var books: [TokenID: LocalOrderBook]

    public init(tokens: [TokenID]) {
        books = Dictionary(tokens.map { ($0, LocalOrderBook(tokenID: $0)) }, uniquingKeysWith: { first, _ in first })
    }

    public subscript(token: TokenID) -> LocalOrderBook? { books[token] }

    /// Applies one market-channel event.
    /// - Returns: whether any tracked book changed.
    @discardableResult
    public mutating func apply(_ event: MarketEvent) -> Bool {
        switch event {
        case .book(let token, let bids, let asks, let tick):
            guard books[token] != nil else { return false }
            books[token]?.replace(bids: bids, asks: asks, tickSize: tick)
            return true
        case .priceChange(let changes):
            var changed = false
            for change in changes where books[change.tokenID] != nil {
                books[change.tokenID]?.setLevel(side: change.side, price: change.price, size: change.size)
                changed = true
            }
            return changed
        case .tickSizeChange(let token, let tick):
            guard books[token] != nil else { return false }
            books[token]?.invalidate(newTick: tick)
            return true
        case .lastTradePrice:
            return false
        }
    }

    /// Drops every book until its next snapshot (the feed disconnected: missed updates are
    /// never replayed by the venue, spec §5.1).
    public mutating func invalidateAll() {
        for token in books.keys { books[token]?.invalidate() }
    }

    /// Applies a REST `GET /book` snapshot (re-seeding after a reconnect).
    public mutating func apply(_ summary: OrderBookSummary) {
        guard books[summary.tokenID] != nil else { return }
        books[summary.tokenID]?.replace(bids: summary.bids, asks: summary.asks, tickSize: summary.tickSize)
    }
}
