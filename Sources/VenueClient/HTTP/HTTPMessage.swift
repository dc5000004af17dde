/// One HTTP request as the venue client sends it.
public struct HTTPRequest: Sendable {
    public var method: String
    /// Path and query, e.g. `/book?token_id=123`. The L2 HMAC covers the path only.
    public var target: String
    public var headers: [(name: String, value: String)]
    /// The exact bytes sent (and HMACed), or nil for no body.
    public var body: [UInt8]?

    public init(method: String, target: String, headers: [(name: String, value: String)] = [], body: [UInt8]? = nil) {
        self.method = method
        self.target = target
        self.headers = headers
        self.body = body
    }
}

/// One HTTP response.
public struct HTTPResponse: Sendable {
    public let status: Int
    /// Header names lower-cased, in arrival order.
    public let headers: [(name: String, value: String)]
    public let body: [UInt8]

    public init(status: Int, headers: [(name: String, value: String)], body: [UInt8]) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    /// The last value of header `name` (case-insensitive).
    public func header(_ name: String) -> String? {
        let lower = name.lowercased()
        return headers.last(where: { $0.name == lower })?.value
    }

    public var bodyText: String { String(decoding: body, as: UTF8.self) }
}

/// Why a request got no HTTP answer. Which case it is decides whether an order may have
/// reached the venue.
public enum TransportError: Error, Equatable, CustomStringConvertible {
    /// The connection was never established: the request certainly did not leave.
    case couldNotConnect(String)
    /// No complete answer in time: the request may or may not have been applied.
    case timedOut(String)
    /// The connection broke after sending began: the request may or may not have been applied.
    case connectionLost(String)
    /// A local failure (bad URL, out of memory): nothing was sent.
    case local(String)
    /// The transport only sends over connections proven to lead to a simulator
    /// (``CurlTransport/ConnectionPolicy/provenSimulatorOnly``) and this one was not: the
    /// request was stopped before its first byte.
    case notASimulator(PaperModeRefusal)

    /// True when the venue cannot have seen the request.
    public var certainlyNotSent: Bool {
        switch self {
        case .couldNotConnect, .local, .notASimulator: return true
        case .timedOut, .connectionLost: return false
        }
    }

    public var description: String {
        switch self {
        case .couldNotConnect(let detail): return "could not connect: \(detail)"
        case .timedOut(let detail): return "timed out: \(detail)"
        case .connectionLost(let detail): return "connection lost: \(detail)"
        case .local(let detail): return "local transport error: \(detail)"
        case .notASimulator(let refusal): return "not sent: \(refusal)"
        }
    }
}

/// Something that carries HTTP requests to the venue: libcurl in production
/// (``CurlTransport``), a script in tests.
public protocol HTTPTransport: Sendable {
    /// Sends one request and waits for the whole answer. Blocking: call it from a dedicated
    /// thread, not from the cooperative pool.
    func send(_ request: HTTPRequest) throws(TransportError) -> HTTPResponse
}
