import Foundation

/// Every address a process needs to reach one venue: the CLOB's REST API, its market and user
/// WebSockets, Gamma (market metadata), the price feed (RTDS) and the Data API.
///
/// `--venue` names one of two shapes:
/// - `polymarket` (or any URL on a production host, such as `https://clob.polymarket.com`):
///   Polymarket's production hosts of spec §0, each service on its own host;
/// - any other http(s) URL: a simulator such as clob-sim, which serves everything on one port
///   (`ws://HOST:PORT/ws/market`, `/ws/user`, `/rtds`; Gamma's `/events` and the Data API at the
///   base URL). This is every process's default, `http://127.0.0.1:8080`.
///
/// ```swift
/// let venue = try VenueEndpoints(venue: "polymarket")
/// venue.marketSocket   // "wss://ws-subscriptions-clob.polymarket.com/ws/market"
/// let sim = try VenueEndpoints(venue: "http://127.0.0.1:8080")
/// sim.gamma            // "http://127.0.0.1:8080"
/// ```
public struct VenueEndpoints: Sendable, Equatable {
    /// The CLOB REST base URL (no trailing slash).
    public var clob: String
    public var marketSocket: String
    public var userSocket: String
    public var gamma: String
    public var priceFeed: String
    public var dataAPI: String
    /// Whether these are Polymarket's production hosts.
    public var isProduction: Bool

    /// The name that selects the production profile.
    public static let productionName = "polymarket"

    /// clob-sim on its default port: every process's default venue.
    public static let localSimulator = VenueEndpoints(
        clob: "http://127.0.0.1:8080", marketSocket: "ws://127.0.0.1:8080/ws/market", userSocket: "ws://127.0.0.1:8080/ws/user",
        gamma: "http://127.0.0.1:8080", priceFeed: "ws://127.0.0.1:8080/rtds", dataAPI: "http://127.0.0.1:8080", isProduction: false)

    /// Polymarket's production hosts (spec §0).
    public static let polymarket = VenueEndpoints(
        clob: "https://clob.polymarket.com",
        marketSocket: "wss://ws-subscriptions-clob.polymarket.com/ws/market",
        userSocket: "wss://ws-subscriptions-clob.polymarket.com/ws/user",
        gamma: "https://gamma-api.polymarket.com",
        priceFeed: "wss://ws-live-data.polymarket.com",
        dataAPI: "https://data-api.polymarket.com",
        isProduction: true)

    public init(clob: String, marketSocket: String, userSocket: String, gamma: String, priceFeed: String, dataAPI: String, isProduction: Bool) {
        self.clob = clob
        self.marketSocket = marketSocket
        self.userSocket = userSocket
        self.gamma = gamma
        self.priceFeed = priceFeed
        self.dataAPI = dataAPI
        self.isProduction = isProduction
    }

    /// What a `--venue` value is not.
    public struct Invalid: Error, CustomStringConvertible {
        public let value: String
        public var description: String {
            "--venue must be \(VenueEndpoints.productionName) (Polymarket's production hosts) or an http(s) URL of a simulator such as http://127.0.0.1:8080, not '\(value)'"
        }
    }

    /// Parses a `--venue` value. - Throws: ``Invalid`` for anything but the production name or an
    /// http(s) URL with a host.
    public init(venue: String) throws(Invalid) {
        let text = venue.trimmingCharacters(in: .whitespaces)
        if text.lowercased() == Self.productionName { self = .polymarket; return }
        guard let parts = URLComponents(string: text), let scheme = parts.scheme?.lowercased(), ["http", "https"].contains(scheme),
              let host = parts.host, !host.isEmpty else { throw Invalid(value: venue) }
        if ProductionVenue.host(of: text) == "clob.polymarket.com" {
            self = .polymarket
            return
        }
        var base = text
        while base.hasSuffix("/") { base.removeLast() }
        let socketBase = (scheme == "https" ? "wss://" : "ws://") + base.dropFirst(scheme.count + 3)
        self.init(clob: base, marketSocket: socketBase + "/ws/market", userSocket: socketBase + "/ws/user", gamma: base,
                  priceFeed: socketBase + "/rtds", dataAPI: base, isProduction: ProductionVenue.host(of: text) != nil)
    }
}
