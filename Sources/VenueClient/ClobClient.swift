import Foundation
import PolypipeCore

/// The venue's REST API (spec §4), typed: every call returns exact values or a ``ClobError``
/// that says what the venue proved.
///
/// Blocking: each call waits for the HTTP answer, so run it on a dedicated thread, never on the
/// cooperative pool. Thread safety: a value type over a thread-safe transport.
///
/// - Important: order submits never throw. They return a ``SubmitOutcome``, and only a venue
///   answer that proves rejection is `.rejected`; a timeout is `.unknown`.
public struct ClobClient: Sendable {
    public let transport: any HTTPTransport
    public let chain: Chain
    /// L2 credentials for private calls; nil for a public-data client.
    public let l2: L2Signer?
    /// Unix seconds for `POLY_TIMESTAMP` (the venue refuses stale ones).
    private let clock: @Sendable () -> Int64
    /// Holds requests back while a venue `Retry-After` runs — reads and everything else that is
    /// neither order placement nor a cancel.
    public let retryAfter: RetryAfterGate
    /// Holds order placement (`POST /order`, `POST /orders`) back while a `Retry-After` the venue
    /// sent for it runs. A separate gate: the venue meters orders and cancels in separate
    /// buckets, so an exhausted order bucket never delays a cancel or a heartbeat (RL-07).
    /// Clients that place orders for one signer share it.
    public let orderRetryAfter: RetryAfterGate
    /// Holds cancels (every `DELETE`) back while a `Retry-After` the venue sent for one runs:
    /// the cancel bucket, which neither orders nor reads wait on.
    public let cancelRetryAfter = RetryAfterGate()
    /// The signer's order and cancel buckets (spec §6.1), shared by every client of one signer;
    /// nil: no local pacing (public-data clients, focused tests). Every answer corrects it;
    /// cancels and batches wait for it here; single orders wait in their caller, which knows
    /// the action's deadline (``OrderSender``, ``Executor``).
    public let rateLimits: RateLimitPacer?
    /// The longest a cancel waits for its bucket before it goes anyway (the venue's answer then
    /// decides): a cancel is how risk is taken off, so it is never held long.
    public static let cancelMaxWaitMillis: Int64 = 1_000

    public init(transport: any HTTPTransport, chain: Chain, l2: L2Signer? = nil,
                clock: @escaping @Sendable () -> Int64 = { Int64(Date().timeIntervalSince1970) },
                retryAfter: RetryAfterGate = RetryAfterGate(), orderRetryAfter: RetryAfterGate = RetryAfterGate(),
                rateLimits: RateLimitPacer? = nil) {
        self.transport = transport
        self.chain = chain
        self.l2 = l2
        self.clock = clock
        self.retryAfter = retryAfter
        self.orderRetryAfter = orderRetryAfter
        self.rateLimits = rateLimits
    }

    /// The most orders one `POST /orders` may carry.
    public static let maxBatch = 15

    // MARK: Public market data

    /// `GET /version` → the order version the venue expects (2 when the field is absent, as the
    /// SDKs assume).
    public func version() throws(ClobError) -> Int {
        let object = try WireObject(json: try get("/version"), context: "version")
        guard let text = object.text("version") else { return 2 }
        guard let version = Int(text) else { throw object.fail("version", "\(text) is not an integer") }
        return version
    }

    /// `GET /time` → the venue's clock, unix seconds.
    public func serverTime() throws(ClobError) -> Int64 {
        let json = try get("/time")
        guard let text = json.scalarText, let seconds = Int64(text) else { throw .unknown("unreadable venue answer: /time is \(JSONWriter.serialize(json))") }
        return seconds
    }

    public func book(_ token: TokenID) throws(ClobError) -> OrderBookSummary {
        try OrderBookSummary(json: try get("/book", query: [("token_id", token.description)]))
    }

    public func tickSize(_ token: TokenID) throws(ClobError) -> TickSize {
        let object = try WireObject(json: try get("/tick-size", query: [("token_id", token.description)]), context: "tick-size")
        let raw = try object.requiredText("minimum_tick_size")
        guard let tick = TickSize(text: raw) else { throw object.fail("minimum_tick_size", "\(raw) is not a known tick size") }
        return tick
    }

    public func negRisk(_ token: TokenID) throws(ClobError) -> Bool {
        let object = try WireObject(json: try get("/neg-risk", query: [("token_id", token.description)]), context: "neg-risk")
        guard let flag = object.bool("neg_risk") else { throw object.fail("neg_risk", "is not a boolean") }
        return flag
    }

    /// `GET /markets-by-token/{token}` → the market's condition id and its two tokens.
    public func marketByToken(_ token: TokenID) throws(ClobError) -> (conditionID: String, primary: TokenID, secondary: TokenID) {
        let object = try WireObject(json: try get("/markets-by-token/\(token)"), context: "markets-by-token")
        return (try object.requiredText("condition_id"), try object.tokenID("primary_token_id"), try object.tokenID("secondary_token_id"))
    }

    /// `GET /markets/{condition_id}` → whether the market is closed and, once it resolved, the
    /// token marked `winner` (nil while unresolved, or when no token is marked).
    public func resolution(conditionID: String) throws(ClobError) -> (closed: Bool, winner: TokenID?) {
        let object = try WireObject(json: try get("/markets/\(conditionID)"), context: "market")
        var winner: TokenID?
        for entry in try object.array("tokens") {
            let token = try WireObject(entry, context: "market token")
            if token.bool("winner") == true { winner = try token.tokenID("token_id") }
        }
        return (object.bool("closed") ?? false, winner)
    }

    /// `GET /clob-markets/{condition_id}` → the market's fee curve (`fd: {r, e, to}`, spec
    /// "Fees"); ``FeeSchedule/free`` when the market has none.
    public func feeSchedule(conditionID: String) throws(ClobError) -> FeeSchedule {
        let object = try WireObject(json: try get("/clob-markets/\(conditionID)"), context: "clob-market")
        guard let curve = object.value["fd"], case .object = curve else { return .free }
        let fields = try WireObject(curve, context: "clob-market fd")
        do {
            return try FeeSchedule(rate: fields.text("r") ?? "0", exponent: fields.text("e") ?? "1", takerOnly: fields.bool("to") ?? true)
        } catch {
            throw fields.fail("r", "not a usable fee curve: \(error)")
        }
    }

    // MARK: L1: API keys

    /// `POST /auth/api-key`: creates the key for (address, nonce).
    public func createApiKey(signingWith key: PrivateKey, nonce: UInt256 = .zero) throws(ClobError) -> ApiCredentials {
        try ApiCredentials(json: try send(l1Request("POST", "/auth/api-key", key: key, nonce: nonce)))
    }

    /// `GET /auth/derive-api-key`: returns the existing key for (address, nonce).
    public func deriveApiKey(signingWith key: PrivateKey, nonce: UInt256 = .zero) throws(ClobError) -> ApiCredentials {
        try ApiCredentials(json: try send(l1Request("GET", "/auth/derive-api-key", key: key, nonce: nonce)))
    }

    /// `POST /auth/readonly-api-key` (L2): a new key of this account that can read (orders,
    /// trades, balances, the user channel) but not trade or cancel — for fill-proc and
    /// recon-proc, which must never hold the private key.
    public func createReadOnlyApiKey() throws(ClobError) -> ApiCredentials {
        try ApiCredentials(json: try send(try l2Request("POST", "/auth/readonly-api-key", body: nil)))
    }

    private func l1Request(_ method: String, _ path: String, key: PrivateKey, nonce: UInt256) throws(ClobError) -> HTTPRequest {
        let headers: L1Headers
        do { headers = try L1Headers(key: key, chain: chain, timestamp: String(clock()), nonce: nonce) } catch {
            throw .notSent("cannot sign the L1 header: \(error)")
        }
        return HTTPRequest(method: method, target: path, headers: headers.headers + [("Content-Type", "application/json")])
    }

    // MARK: L2: orders

    /// `POST /order` with `body`, the exact bytes from ``OrderPayload/bodyBytes(_:owner:orderType:deferExec:postOnly:)``.
    /// Retrying an unknown outcome must send these same bytes.
    public func postOrder(body: [UInt8]) -> SubmitOutcome {
        let response: HTTPResponse
        do { response = try sendRaw(try l2Request("POST", "/order", body: body)) } catch { return Self.outcome(of: error) }
        guard (200..<300).contains(response.status) else { return Self.outcome(of: ClobError.from(response)) }
        guard let json = try? JSONParser.parse(response.body) else {
            return .unknown(reason: "unreadable answer to POST /order: \(response.bodyText.prefix(200))")
        }
        return SubmitOutcome(result: json)
    }

    /// `POST /orders`: at most 15 order objects (each from `OrderPayload.bodyBytes`), one
    /// outcome per leg in order. A failure of the whole request applies to every leg. Never
    /// retry a batch blindly: resolve its unknown legs by order ID.
    ///
    /// Like ``postOrder(body:)``, it does not wait for the signer's order bucket: the caller
    /// draws one token per leg, all at once, first (``RateLimitPacer``; a batch above the burst
    /// can never pass, RL-06), as only it knows the legs' deadlines.
    public func postOrders(bodies: [[UInt8]]) -> [SubmitOutcome] {
        guard bodies.count <= Self.maxBatch else {
            return bodies.map { _ in .refused(.notSent("a batch holds at most \(Self.maxBatch) orders, got \(bodies.count)")) }
        }
        var body: [UInt8] = [UInt8(ascii: "[")]
        for (index, order) in bodies.enumerated() {
            if index > 0 { body.append(UInt8(ascii: ",")) }
            body += order
        }
        body.append(UInt8(ascii: "]"))
        let response: HTTPResponse
        do { response = try sendRaw(try l2Request("POST", "/orders", body: body)) } catch {
            return bodies.map { _ in Self.outcome(of: error) }
        }
        guard (200..<300).contains(response.status) else {
            let error = ClobError.from(response)
            return bodies.map { _ in Self.outcome(of: error) }
        }
        guard case .array(let legs)? = try? JSONParser.parse(response.body), legs.count == bodies.count else {
            return bodies.map { _ in .unknown(reason: "batch answer is not an array of \(bodies.count) results") }
        }
        return legs.map { SubmitOutcome(result: $0) }
    }

    /// Maps a request-level failure onto what it proves about the order.
    static func outcome(of error: ClobError) -> SubmitOutcome {
        switch error {
        case .rejected(_, let message): return .rejected(reason: VenueRejection(message: message))
        case .unauthorized, .rateLimited, .unavailable, .notSent: return .refused(error)
        case .unknown(let reason): return .unknown(reason: reason)
        }
    }

    /// `DELETE /order`: the id goes out as ``OrderID/description``, lower case — as our hashes are.
    public func cancel(orderID: OrderID) throws(ClobError) -> CancelResult {
        try paceCancel(cost: 1, "DELETE /order")
        return try CancelResult(json: try send(try l2Request("DELETE", "/order", body: jsonObject([("orderID", .string(orderID.description))]))))
    }

    /// `DELETE /orders`: one cancel token per id; more ids than the cancel burst are refused
    /// here (``ClobError/notSent(_:)``), as the venue would refuse them whole (RL-06).
    public func cancel(orderIDs: [OrderID]) throws(ClobError) -> CancelResult {
        try paceCancel(cost: orderIDs.count, "DELETE /orders of \(orderIDs.count) ids")
        let body = Array(JSONWriter.serialize(.array(orderIDs.map { .string($0.description) })).utf8)
        return try CancelResult(json: try send(try l2Request("DELETE", "/orders", body: body)))
    }

    /// `DELETE /cancel-all`: costs 1 cancel token up front and one more per order cancelled,
    /// charged from the answer (RL-10).
    public func cancelAll() throws(ClobError) -> CancelResult {
        try paceCancel(cost: 1, "DELETE /cancel-all")
        let result = try CancelResult(json: try send(try l2Request("DELETE", "/cancel-all", body: nil)))
        rateLimits?.charge(.cancels, cost: result.canceled.count)
        return result
    }

    /// `DELETE /cancel-market-orders` for a market, a token, or both (1 + one per order cancelled).
    public func cancelMarket(conditionID: String?, tokenID: TokenID?) throws(ClobError) -> CancelResult {
        var members: [(key: String, value: JSONValue)] = []
        if let conditionID { members.append(("market", .string(conditionID))) }
        if let tokenID { members.append(("asset_id", .string(tokenID.description))) }
        try paceCancel(cost: 1, "DELETE /cancel-market-orders")
        let result = try CancelResult(json: try send(try l2Request("DELETE", "/cancel-market-orders", body: jsonObject(members))))
        rateLimits?.charge(.cancels, cost: result.canceled.count)
        return result
    }

    /// Waits (briefly) for the cancel bucket; only a cost above its burst stops the cancel.
    private func paceCancel(cost: Int, _ what: String) throws(ClobError) {
        guard let rateLimits else { return }
        let admission = rateLimits.acquire(.cancels, cost: cost, maxWaitMillis: Self.cancelMaxWaitMillis)
        if admission != .go { throw .notSent("\(what) \(admission)") }
    }

    /// `GET /data/order/{id}`; nil when the venue says it does not know the order (404).
    public func order(id: OrderID) throws(ClobError) -> OpenOrder? {
        do {
            return try OpenOrder(json: try send(try l2Request("GET", "/data/order/\(id)", body: nil)))
        } catch .rejected(404, _) {
            return nil
        }
    }

    /// Every open order (all pages), optionally for one market and/or token.
    public func openOrders(conditionID: String? = nil, tokenID: TokenID? = nil) throws(ClobError) -> [OpenOrder] {
        var filters: [(String, String)] = []
        if let conditionID { filters.append(("market", conditionID)) }
        if let tokenID { filters.append(("asset_id", tokenID.description)) }
        return try allPages("/data/orders", filters: filters) { json throws(ClobError) in try OpenOrder(json: json) }
    }

    /// Trades (all pages), filtered as the venue allows; `after` is unix seconds.
    public func trades(conditionID: String? = nil, tokenID: TokenID? = nil, after: Int64? = nil) throws(ClobError) -> [Trade] {
        var filters: [(String, String)] = []
        if let conditionID { filters.append(("market", conditionID)) }
        if let tokenID { filters.append(("asset_id", tokenID.description)) }
        if let after { filters.append(("after", String(after))) }
        return try allPages("/data/trades", filters: filters) { json throws(ClobError) in try Trade(json: json) }
    }

    /// `POST /v1/heartbeats` (spec §4.6): send `""` first, then the id the venue returned.
    /// - Returns: the id to send next time.
    public func heartbeat(id: String) throws(ClobError) -> String {
        let object = try WireObject(json: try send(try l2Request("POST", "/v1/heartbeats", body: jsonObject([("heartbeat_id", .string(id))]))),
                                    context: "heartbeat")
        return try object.requiredText("heartbeat_id")
    }

    // MARK: Plumbing

    private func jsonObject(_ members: [(key: String, value: JSONValue)]) -> [UInt8] {
        Array(JSONWriter.serialize(.object(members)).utf8)
    }

    private func allPages<Element: Sendable>(_ path: String, filters: [(String, String)],
                                   element: (JSONValue) throws(ClobError) -> Element) throws(ClobError) -> [Element] {
        var cursor = Page<Element>.firstCursor
        var all: [Element] = []
        for _ in 0..<10_000 {
            let page = try Page(json: try send(try l2Request("GET", path, body: nil, query: filters + [("next_cursor", cursor)])), element: element)
            all += page.data
            if page.isLast || page.nextCursor == cursor { return all }
            cursor = page.nextCursor
        }
        throw .unknown("\(path): more than 10 000 pages; giving up")
    }

    func l2Request(_ method: String, _ path: String, body: [UInt8]?, query: [(String, String)] = []) throws(ClobError) -> HTTPRequest {
        guard let l2 else { throw .notSent("\(method) \(path) needs L2 API credentials and this client has none") }
        // HMAC over the path without the query string, and over the exact body bytes.
        let headers = l2.headers(timestamp: String(clock()), method: method, path: path, bodyBytes: body ?? [])
        return HTTPRequest(method: method, target: path + Self.queryString(query),
                           headers: headers + [("Content-Type", "application/json")], body: body)
    }

    private func get(_ path: String, query: [(String, String)] = []) throws(ClobError) -> JSONValue {
        try send(HTTPRequest(method: "GET", target: path + Self.queryString(query)))
    }

    /// Sends and parses a JSON answer; any non-2xx becomes its ``ClobError``.
    func send(_ request: HTTPRequest) throws(ClobError) -> JSONValue {
        let response = try sendRaw(request)
        guard (200..<300).contains(response.status) else { throw ClobError.from(response) }
        do { return try JSONParser.parse(response.body) } catch {
            throw .unknown("unreadable answer to \(request.method) \(request.target): \(error)")
        }
    }

    func sendRaw(_ request: HTTPRequest) throws(ClobError) -> HTTPResponse {
        let places = request.method == "POST" && (request.target == "/order" || request.target == "/orders")
        let gate = places ? orderRetryAfter : request.method == "DELETE" ? cancelRetryAfter : retryAfter
        if let wait = gate.remainingSeconds() {
            throw .rateLimited(retryAfterSeconds: wait, message: "not sent: the venue asked to wait (Retry-After)")
        }
        let response: HTTPResponse
        do { response = try transport.send(request) } catch { throw ClobError.from(error) }
        rateLimits?.observe(response, bucket: places ? .orders : request.method == "DELETE" ? .cancels : nil)
        if [425, 429, 503].contains(response.status) {
            switch ClobError.from(response) {
            case .rateLimited(let seconds?, _): gate.pause(seconds: seconds)
            case .unavailable(_, let seconds?, _):
                // The engine restarting or paused: nothing goes through, orders or not.
                for paused in [retryAfter, orderRetryAfter, cancelRetryAfter] { paused.pause(seconds: seconds) }
            default: break
            }
        }
        return response
    }

    static func queryString(_ items: [(String, String)]) -> String {
        guard !items.isEmpty else { return "" }
        return "?" + items.map { "\(percentEncode($0.0))=\(percentEncode($0.1))" }.joined(separator: "&")
    }

    /// RFC 3986 unreserved characters stay; everything else is %XX (so "MA==" → "MA%3D%3D").
    static func percentEncode(_ text: String) -> String {
        var out = ""
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                 UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"):
                out.unicodeScalars.append(Unicode.Scalar(byte))
            default:
                out += String(format: "%%%02X", byte)
            }
        }
        return out
    }
}

extension WireObject {
    init(json: JSONValue, context: String) throws(ClobError) {
        try self.init(json, context: context)
    }
}
