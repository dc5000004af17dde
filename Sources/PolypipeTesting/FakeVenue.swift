import Synchronization
import PolypipeCore
import VenueClient

/// An in-memory venue that speaks the CLOB's REST protocol (spec §4) to a ``ClobClient``, with
/// state: markets, resting orders, trades, balances and a request log. Tests drive the real
/// client and executor against it and read what the venue saw.
///
/// By default it accepts every order as `live` and keeps it resting until it is cancelled, so
/// `/data/orders`, `/data/order/{id}` and `/cancel-all` tell the truth about what was placed.
/// A test changes one behaviour with ``script(_:_:)`` (answer one path its own way, or return
/// nil to fall through) or ``orderAnswer`` (how the next orders are answered), and changes the
/// world with ``withState(_:)``.
///
/// ```swift
/// let venue = FakeVenue()
/// venue.orderAnswer = .serverError(500)          // every POST /order: unknown outcome
/// let client = venue.client(key: key)
/// // … run the executor …
/// #expect(venue.requests(to: "/order").count == 2)
/// ```
public final class FakeVenue: HTTPTransport, Sendable {
    /// How `POST /order` is answered (and each leg of a `POST /orders`).
    public enum OrderAnswer: Sendable, Equatable {
        /// Accepted with this venue status (`live`, `matched`, `delayed`); a `live` or `delayed`
        /// order rests until cancelled.
        case accept(status: String)
        /// An HTTP error with `{"error": message}`: 400 is a proven rejection, 5xx unknown.
        case error(status: Int, message: String)
        /// No answer: the transport times out (the order may or may not have been placed;
        /// `placed` says which, so a later lookup finds it or not).
        case timeout(placed: Bool)

        public static func serverError(_ status: Int) -> OrderAnswer { .error(status: status, message: "scripted \(status)") }
    }

    /// One request as it arrived.
    public struct Request: Sendable {
        public let method: String
        public let path: String
        public let query: String
        public let body: [UInt8]

        /// The value of `name` in the query string, if present.
        public func query(_ name: String) -> String? {
            query.split(separator: "&").first { $0.hasPrefix("\(name)=") }.map { String($0.dropFirst(name.count + 1)) }
        }
    }

    /// The venue's world; tests read and change it through ``withState(_:)``.
    public struct State: Sendable {
        public var markets: [FakeMarket]
        /// `GET /version`: 2 or 3.
        public var version = 2
        /// Every order the venue holds, by lower-case id, in any status.
        public var orders: [String: FakeOrder] = [:]
        /// Ids in the order they were placed.
        public var placementOrder: [String] = []
        public var trades: [FakeTrade] = []
        /// Conditional-token balances in micro-shares by token id (`asset_type=CONDITIONAL`);
        /// V3 balances (`CONDITIONAL-V2`) are in ``balancesV3``.
        public var balances: [String: UInt64] = [:]
        public var balancesV3: [String: UInt64] = [:]
        public var requests: [Request] = []
        public var heartbeats = 0
        /// Paths that answer this HTTP status (an outage) until removed.
        public var outages: [String: Int] = [:]
    }

    private let state: Mutex<State>
    private let scripts = Mutex<[String: @Sendable (Request) -> HTTPResponse?]>([:])
    private let answers = Mutex<OrderAnswer>(.accept(status: "live"))

    /// - Parameter markets: the markets it knows; ``FakeMarket/standard`` by default.
    public init(markets: [FakeMarket] = FakeMarket.standard) {
        state = Mutex(State(markets: markets))
    }

    /// How every following `POST /order` is answered.
    public var orderAnswer: OrderAnswer {
        get { answers.withLock { $0 } }
        set { answers.withLock { $0 = newValue } }
    }

    /// Answers `path` (no query) with `handler` from now on; a nil from the handler falls
    /// through to the venue's own behaviour. Paths ending in `/` match every path they prefix.
    public func script(_ path: String, _ handler: @escaping @Sendable (Request) -> HTTPResponse?) {
        scripts.withLock { $0[path] = handler }
    }

    /// Reads or changes the venue's world atomically.
    @discardableResult
    public func withState<T>(_ body: (inout State) throws -> T) rethrows -> T {
        try state.withLock { try body(&$0) }
    }

    /// Every request to `path` (no query), oldest first.
    public func requests(to path: String, method: String? = nil) -> [Request] {
        state.withLock { $0.requests.filter { $0.path == path && (method == nil || $0.method == method) } }
    }

    /// Every request as `METHOD path`, oldest first.
    public var requestLines: [String] {
        state.withLock { $0.requests.map { "\($0.method) \($0.path)" } }
    }

    /// Puts `order` on the venue's books as if it had been placed.
    public func rest(_ order: FakeOrder) {
        state.withLock { state in
            let id = order.id.lowercased()
            if state.orders[id] == nil { state.placementOrder.append(id) }
            state.orders[id] = order
        }
    }

    /// An answer with a JSON body, for scripts.
    public static func answer(_ status: Int, _ json: String) -> HTTPResponse {
        HTTPResponse(status: status, headers: [], body: Array(json.utf8))
    }

    /// The orders the venue holds in `status` (`LIVE`, `CANCELED`, …), oldest first.
    public func orders(in status: String) -> [FakeOrder] {
        state.withLock { state in state.placementOrder.compactMap { state.orders[$0] }.filter { $0.status == status } }
    }

    public func send(_ request: HTTPRequest) throws(TransportError) -> HTTPResponse {
        let parts = request.target.split(separator: "?", maxSplits: 1)
        let incoming = Request(method: request.method, path: String(parts.first ?? ""),
                               query: parts.count > 1 ? String(parts[1]) : "", body: request.body ?? [])
        let outage = state.withLock { state -> Int? in
            state.requests.append(incoming)
            return state.outages[incoming.path]
        }
        if let outage { return Self.answer(outage, #"{"error": "scripted outage"}"#) }
        let handlers = scripts.withLock { $0 }
        if let handler = handlers[incoming.path] ?? handlers.first(where: { $0.key.hasSuffix("/") && incoming.path.hasPrefix($0.key) })?.value,
           let scripted = handler(incoming) {
            return scripted
        }
        return try answer(incoming)
    }

    /// A client for this venue, signing L2 headers for `key`'s address.
    public func client(key: PrivateKey, chain: Chain = .polygon) throws -> ClobClient {
        ClobClient(transport: self, chain: chain, l2: try L2Signer(credentials: FakeVenue.credentials, address: key.address))
    }

    /// The API credentials every fake-venue client uses.
    public static let credentials = ApiCredentials(apiKey: "00000000-0000-0000-0000-000000000000",
                                                   secret: "c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0", passphrase: "p")
}
