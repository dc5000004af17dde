import PolypipeCore
import VenueClient
/// What exec-proc knows about markets, looked up from the venue itself and cached: a strategy
/// never supplies the tick size, the neg-risk flag or the exchange version (a wrong one would
/// sign for the wrong contract or price grid).
///
/// - Market info per token (condition id, sibling token, tick, neg-risk, exchange) is kept until
///   ``invalidate(_:)`` — on a `tick_size_change` or a tick rejection from the venue.
/// - The book mid, for the risk rules' price band, is used for at most ``bookMaxAgeMillis`` and
///   re-read from `GET /book` when older: the band is checked against the venue's book, not the
///   strategy's view of it. With a ``BookWatch`` the re-reads happen on its thread and this one
///   only fetches when the watch has nothing that fresh (first use, or the watch failing).
/// - `GET /version` is read at startup and again once on `order_version_mismatch`.
///
/// Blocking (REST calls); used from exec-proc's single execution thread.
public final class VenueCatalog {
    public struct MarketInfo: Sendable, Hashable {
        public let conditionID: String
        public let tokens: [TokenID]
        public let tick: TickSize
        public let negRisk: Bool
        public let exchange: Exchange
    }

    private let client: any VenueAPI
    private var markets: [TokenID: MarketInfo] = [:]
    private let books: BookWatch?
    private var mids: [TokenID: (mid: Price?, atMillis: Int64)] = [:]
    /// The order version the venue expects (`GET /version`).
    public private(set) var venueVersion: Int = 2
    public var bookMaxAgeMillis: Int64

    public init(client: any VenueAPI, bookMaxAgeMillis: Int64 = 1_000, books: BookWatch? = nil) {
        self.client = client
        self.bookMaxAgeMillis = bookMaxAgeMillis
        self.books = books
    }

    /// Reads `GET /version` (at startup, and once after `order_version_mismatch`).
    public func refreshVersion() throws(ClobError) {
        venueVersion = try client.version()
        // The exchange of every cached market may change with the version.
        markets.removeAll()
    }

    /// The market `token` belongs to, from the cache or the venue.
    public func info(for token: TokenID) throws(ClobError) -> MarketInfo {
        if let known = markets[token] { return known }
        let market = try client.marketByToken(token)
        let tick = try client.tickSize(token)
        let negRisk = try client.negRisk(token)
        let exchange: Exchange
        if token.isProtocolV2Position {
            exchange = .v3
        } else {
            exchange = Exchange.select(version: ExchangeVersion(rawValue: venueVersion) ?? .v2, negRisk: negRisk)
        }
        let info = MarketInfo(conditionID: market.conditionID, tokens: [market.primary, market.secondary],
                              tick: tick, negRisk: negRisk, exchange: exchange)
        for sibling in info.tokens { markets[sibling] = info }
        return info
    }

    /// Forgets what is known about `token`'s market (tick size changed, or the venue said so).
    public func invalidate(_ token: TokenID) {
        guard let info = markets[token] else { return }
        for sibling in info.tokens { markets[sibling] = nil }
    }

    /// The book mid of `token` at most ``bookMaxAgeMillis`` old; nil when a side is empty.
    public func mid(of token: TokenID, nowMillis: Int64) throws(ClobError) -> Price? {
        if let books {
            if let fresh = books.mid(of: token, maxAgeMillis: bookMaxAgeMillis, nowMillis: nowMillis) { return fresh }
            let mid = try client.book(token).mid
            books.store(mid, for: token, atMillis: nowMillis)
            return mid
        }
        if let cached = mids[token], nowMillis - cached.atMillis < bookMaxAgeMillis { return cached.mid }
        let mid = try client.book(token).mid
        mids[token] = (mid, nowMillis)
        return mid
    }
}
