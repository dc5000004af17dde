import CCurl
import Foundation
import Synchronization

/// HTTP/1.1 to one venue over libcurl, with one reused easy handle (keep-alive, connection
/// reuse), explicit connect and total timeouts, `TCP_NODELAY`, and no signals. This is the only
/// file that imports `CCurl`.
///
/// Thread safety: a curl easy handle must not be used by two threads at once, so every
/// request holds the handle's mutex for its whole duration; concurrent callers queue. For
/// parallel requests make one transport per thread.
///
/// Paper mode: with ``ConnectionPolicy/provenSimulatorOnly`` no request leaves over a TCP
/// connection that has not first answered a fresh ``SimulatorIdentity`` challenge. A new
/// connection (the first one, or any reconnect) is stopped before its first byte, proved, and
/// only then used; production hosts are refused by name before anything is sent.
public final class CurlTransport: HTTPTransport {
    /// Which connections may carry requests.
    public enum ConnectionPolicy: Sendable, Equatable {
        /// Any connection to `baseURL` (dry-run and live, where the venue was chosen on purpose).
        case any
        /// Only connections that proved they lead to a simulator (paper mode).
        case provenSimulatorOnly
    }

    /// Timeouts for one request.
    public struct Timeouts: Sendable {
        /// Time to establish the TCP (and TLS) connection.
        public var connectMilliseconds: Int
        /// Time for the whole request, connection included.
        public var totalMilliseconds: Int

        public init(connectMilliseconds: Int = 2_000, totalMilliseconds: Int = 10_000) {
            self.connectMilliseconds = connectMilliseconds
            self.totalMilliseconds = totalMilliseconds
        }
    }

    /// Scheme, host and port, e.g. `http://127.0.0.1:8080` (no trailing slash).
    public let baseURL: String
    public let timeouts: Timeouts
    public let policy: ConnectionPolicy
    private let handle: Mutex<EasyHandle>

    /// - Throws: ``TransportError/local(_:)`` when libcurl cannot make a handle;
    ///   ``TransportError/notASimulator(_:)`` when `policy` is ``ConnectionPolicy/provenSimulatorOnly``
    ///   and `baseURL` is one of Polymarket's production hosts.
    public init(baseURL: String, timeouts: Timeouts = Timeouts(), policy: ConnectionPolicy = .any) throws(TransportError) {
        _ = CurlTransport.globalInit
        var trimmed = baseURL
        while trimmed.hasSuffix("/") { trimmed.removeLast() }
        if policy == .provenSimulatorOnly, let host = ProductionVenue.host(of: trimmed) {
            throw .notASimulator(.productionHost(url: trimmed, host: host))
        }
        guard let easy = curl_easy_init() else { throw .local("curl_easy_init returned NULL") }
        self.baseURL = trimmed
        self.timeouts = timeouts
        self.policy = policy
        self.handle = Mutex(EasyHandle(pointer: easy, gate: policy == .provenSimulatorOnly ? SimulatorConnectionGate() : nil))
    }

    deinit {
        handle.withLock { curl_easy_cleanup($0.pointer) }
    }

    /// libcurl's process-wide setup, run once before the first handle.
    private static let globalInit: Void = { _ = curl_global_init(Int(CURL_GLOBAL_DEFAULT)) }()

    public func send(_ request: HTTPRequest) throws(TransportError) -> HTTPResponse {
        let result: Result<HTTPResponse, TransportError> = handle.withLock { easy in
            guard let gate = easy.gate else { return perform(request, on: easy.pointer, gate: nil) }
            // No connection left open: prove the next one first (it then carries the request).
            if !gate.connectionOpen, let refusal = prove(on: easy.pointer, gate: gate) { return .failure(.notASimulator(refusal)) }
            let first = perform(request, on: easy.pointer, gate: gate)
            guard gate.refusedUnproven else { return first }
            // A new connection: prove it, then send over it (once; a second new one is refused).
            if let refusal = prove(on: easy.pointer, gate: gate) { return .failure(.notASimulator(refusal)) }
            let second = perform(request, on: easy.pointer, gate: gate)
            guard gate.refusedUnproven else { return second }
            return .failure(.notASimulator(.notASimulator(url: baseURL, reason: "the connection changed again right after it was proved")))
        }
        return try result.get()
    }

    /// Proves, now, that `baseURL` is a simulator (a fresh ``SimulatorIdentity`` challenge over
    /// the connection later requests will use). Paper-mode processes call it at startup, before
    /// any authenticated request, for a clear refusal; ``send(_:)`` proves every new connection
    /// by itself.
    /// - Throws: ``PaperModeRefusal`` naming what failed. Does nothing under ``ConnectionPolicy/any``.
    public func proveSimulator() throws(PaperModeRefusal) {
        let refusal: PaperModeRefusal? = handle.withLock { easy in
            guard let gate = easy.gate else { return nil }
            return prove(on: easy.pointer, gate: gate)
        }
        if let refusal { throw refusal }
    }

    /// Sends a fresh identity challenge and, when the answer proves a simulator, marks the
    /// connection it came over as proven. Returns why not otherwise.
    private func prove(on easy: UnsafeMutableRawPointer, gate: SimulatorConnectionGate) -> PaperModeRefusal? {
        let challenge = SimulatorIdentity.newChallenge()
        gate.phase = .proving
        let answer = perform(SimulatorIdentity.request(challenge: challenge), on: easy, gate: gate)
        gate.phase = .requireProven
        switch answer {
        case .failure(let error):
            return .unreachable(url: baseURL, reason: "\(error)")
        case .success(let response):
            if let reason = SimulatorIdentity.refusal(of: response, challenge: challenge) { return .notASimulator(url: baseURL, reason: reason) }
            guard let connection = gate.current else { return .notASimulator(url: baseURL, reason: "libcurl did not report the connection") }
            gate.markProven(connection)
            return nil
        }
    }

    private func perform(_ request: HTTPRequest, on easy: UnsafeMutableRawPointer, gate: SimulatorConnectionGate?) -> Result<HTTPResponse, TransportError> {
        curl_easy_reset(easy)  // keeps the connection cache, forgets the last request's options
        let sink = ResponseSink()
        let unmanaged = Unmanaged.passRetained(sink)
        defer { unmanaged.release() }

        var headerList: UnsafeMutablePointer<curl_slist>?
        defer { curl_slist_free_all(headerList) }
        for header in request.headers {
            headerList = curl_slist_append(headerList, "\(header.name): \(header.value)")
        }
        headerList = curl_slist_append(headerList, "Expect:")  // no 100-continue round trip

        let url = baseURL + request.target
        var code = CURLE_OK
        func set(_ option: CURLoption, _ value: Int) { if code == CURLE_OK { code = polypipe_curl_setopt_long(easy, option, value) } }
        set(CURLOPT_NOSIGNAL, 1)
        set(CURLOPT_TCP_NODELAY, 1)
        set(CURLOPT_TCP_KEEPALIVE, 1)
        set(CURLOPT_CONNECTTIMEOUT_MS, timeouts.connectMilliseconds)
        set(CURLOPT_TIMEOUT_MS, timeouts.totalMilliseconds)
        if code == CURLE_OK { code = url.withCString { polypipe_curl_setopt_string(easy, CURLOPT_URL, $0) } }
        if code == CURLE_OK { code = request.method.withCString { polypipe_curl_setopt_string(easy, CURLOPT_CUSTOMREQUEST, $0) } }
        if code == CURLE_OK { code = polypipe_curl_setopt_slist(easy, CURLOPT_HTTPHEADER, headerList) }
        if code == CURLE_OK { code = polypipe_curl_setopt_write_function(easy, CURLOPT_WRITEFUNCTION, curlWriteBody) }
        if code == CURLE_OK { code = polypipe_curl_setopt_pointer(easy, CURLOPT_WRITEDATA, unmanaged.toOpaque()) }
        if code == CURLE_OK { code = polypipe_curl_setopt_write_function(easy, CURLOPT_HEADERFUNCTION, curlWriteHeader) }
        if code == CURLE_OK { code = polypipe_curl_setopt_pointer(easy, CURLOPT_HEADERDATA, unmanaged.toOpaque()) }
        if let gate {
            gate.refusedUnproven = false
            gate.current = nil
            if code == CURLE_OK { code = polypipe_curl_setopt_prereq_function(easy, curlCheckConnection) }
            if code == CURLE_OK { code = polypipe_curl_setopt_prereq_data(easy, Unmanaged.passUnretained(gate).toOpaque()) }
        }
        guard code == CURLE_OK else { return .failure(.local("curl_easy_setopt: \(CurlTransport.message(code))")) }

        let performed: CURLcode
        if let body = request.body {
            // POSTFIELDS does not copy: the bytes must stay alive until perform returns.
            performed = body.withUnsafeBytes { raw -> CURLcode in
                set(CURLOPT_POSTFIELDSIZE, raw.count)
                guard code == CURLE_OK else { return code }
                let pointer = UnsafeMutableRawPointer(mutating: raw.baseAddress ?? UnsafeRawPointer(bitPattern: 1)!)
                let posted = polypipe_curl_setopt_pointer(easy, CURLOPT_POSTFIELDS, pointer)
                guard posted == CURLE_OK else { return posted }
                return curl_easy_perform(easy)
            }
        } else {
            performed = curl_easy_perform(easy)
        }
        if let gate {
            var socket: curl_socket_t = -1
            gate.connectionOpen = polypipe_curl_getinfo_socket(easy, CURLINFO_ACTIVESOCKET, &socket) == CURLE_OK && socket != -1
        }
        if let gate, gate.refusedUnproven {
            return .failure(.notASimulator(.notASimulator(url: baseURL, reason: "a new connection has not proved it leads to a simulator")))
        }
        guard performed == CURLE_OK else { return .failure(CurlTransport.classify(performed)) }
        var status = 0
        _ = polypipe_curl_getinfo_long(easy, CURLINFO_RESPONSE_CODE, &status)
        return .success(HTTPResponse(status: status, headers: sink.headers, body: sink.body))
    }

    /// Maps a libcurl failure onto what it means for an order: never sent, or unknown.
    static func classify(_ code: CURLcode) -> TransportError {
        let text = message(code)
        switch code {
        case CURLE_COULDNT_CONNECT, CURLE_COULDNT_RESOLVE_HOST, CURLE_COULDNT_RESOLVE_PROXY:
            return .couldNotConnect(text)
        case CURLE_OPERATION_TIMEDOUT:
            return .timedOut(text)
        case CURLE_URL_MALFORMAT, CURLE_UNSUPPORTED_PROTOCOL, CURLE_OUT_OF_MEMORY, CURLE_BAD_FUNCTION_ARGUMENT:
            return .local(text)
        default:
            // Send/receive errors, empty replies, TLS failures mid-stream: the request may have
            // been delivered.
            return .connectionLost(text)
        }
    }

    static func message(_ code: CURLcode) -> String {
        "\(String(cString: curl_easy_strerror(code))) (curl \(code.rawValue))"
    }
}

/// The handle, boxed so it can live in a `Mutex`, with its paper-mode gate.
private struct EasyHandle: ~Copyable {
    let pointer: UnsafeMutableRawPointer
    let gate: SimulatorConnectionGate?
}

/// Which TCP connections of one handle have proved they lead to a simulator. Used only while
/// the handle's mutex is held: libcurl calls ``curlCheckConnection`` on the thread inside
/// `curl_easy_perform`.
private final class SimulatorConnectionGate {
    /// One TCP connection: both ends (a reconnect always gets a new local port).
    struct Connection: Hashable {
        let remote: String
        let remotePort: Int32
        let local: String
        let localPort: Int32
    }

    enum Phase { case requireProven, proving }

    var phase = Phase.requireProven
    /// The connection of the request under way (set by the callback).
    var current: Connection?
    /// Set when the callback stopped a request on an unproven connection.
    var refusedUnproven = false
    /// Whether the last request left a connection open (libcurl's `CURLINFO_ACTIVESOCKET`).
    var connectionOpen = false
    /// Proven connections, newest last; a few are enough (one handle keeps few alive).
    private var proven: [Connection] = []

    func isProven(_ connection: Connection) -> Bool { proven.contains(connection) }

    func markProven(_ connection: Connection) {
        proven.removeAll { $0 == connection }
        proven.append(connection)
        if proven.count > 8 { proven.removeFirst() }
    }
}

/// CURLOPT_PREREQFUNCTION: lets a request go only over a proven connection (or the proof itself).
private func curlCheckConnection(_ context: UnsafeMutableRawPointer?, _ remoteIP: UnsafeMutablePointer<CChar>?,
                                 _ localIP: UnsafeMutablePointer<CChar>?, _ remotePort: Int32, _ localPort: Int32) -> Int32 {
    guard let context else { return 1 }
    let gate = Unmanaged<SimulatorConnectionGate>.fromOpaque(context).takeUnretainedValue()
    let connection = SimulatorConnectionGate.Connection(remote: remoteIP.map { String(cString: $0) } ?? "", remotePort: remotePort,
                                                        local: localIP.map { String(cString: $0) } ?? "", localPort: localPort)
    gate.current = connection
    if gate.phase == .proving || gate.isProven(connection) { return 0 }  // CURL_PREREQFUNC_OK
    gate.refusedUnproven = true
    return 1  // CURL_PREREQFUNC_ABORT: nothing of the request is sent
}

/// Accumulates one response; reached from the C callbacks through `Unmanaged`.
private final class ResponseSink {
    var body: [UInt8] = []
    var headers: [(name: String, value: String)] = []

    func appendHeaderLine(_ line: String) {
        if line.hasPrefix("HTTP/") { headers.removeAll() }  // a new response (after a redirect or 1xx)
        guard let colon = line.firstIndex(of: ":") else { return }
        let name = line[..<colon].trimmingCharacters(in: .whitespaces).lowercased()
        let value = line[line.index(after: colon)...].trimmingCharacters(in: .whitespacesAndNewlines)
        headers.append((name, value))
    }
}

private func curlWriteBody(_ data: UnsafeMutablePointer<CChar>?, _ size: Int, _ count: Int, _ context: UnsafeMutableRawPointer?) -> Int {
    guard let data, let context else { return 0 }
    let sink = Unmanaged<ResponseSink>.fromOpaque(context).takeUnretainedValue()
    let total = size * count
    data.withMemoryRebound(to: UInt8.self, capacity: total) { sink.body.append(contentsOf: UnsafeBufferPointer(start: $0, count: total)) }
    return total
}

private func curlWriteHeader(_ data: UnsafeMutablePointer<CChar>?, _ size: Int, _ count: Int, _ context: UnsafeMutableRawPointer?) -> Int {
    guard let data, let context else { return 0 }
    let sink = Unmanaged<ResponseSink>.fromOpaque(context).takeUnretainedValue()
    let total = size * count
    let line = data.withMemoryRebound(to: UInt8.self, capacity: total) { String(decoding: UnsafeBufferPointer(start: $0, count: total), as: UTF8.self) }
    sink.appendHeaderLine(line)
    return total
}
