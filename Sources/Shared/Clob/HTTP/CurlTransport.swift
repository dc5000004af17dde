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
public final class CurlTransport: HTTPTransport {
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
    private let handle: Mutex<EasyHandle>

    /// - Throws: ``TransportError/local(_:)`` when libcurl cannot make a handle.
    public init(baseURL: String, timeouts: Timeouts = Timeouts()) throws(TransportError) {
        _ = CurlTransport.globalInit
        guard let easy = curl_easy_init() else { throw .local("curl_easy_init returned NULL") }
        var trimmed = baseURL
        while trimmed.hasSuffix("/") { trimmed.removeLast() }
        self.baseURL = trimmed
        self.timeouts = timeouts
        self.handle = Mutex(EasyHandle(pointer: easy))
    }

    deinit {
        handle.withLock { curl_easy_cleanup($0.pointer) }
    }

    /// libcurl's process-wide setup, run once before the first handle.
    private static let globalInit: Void = { _ = curl_global_init(Int(CURL_GLOBAL_DEFAULT)) }()

    public func send(_ request: HTTPRequest) throws(TransportError) -> HTTPResponse {
        let result: Result<HTTPResponse, TransportError> = handle.withLock { easy in
            perform(request, on: easy.pointer)
        }
        return try result.get()
    }

    private func perform(_ request: HTTPRequest, on easy: UnsafeMutableRawPointer) -> Result<HTTPResponse, TransportError> {
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

/// The handle, boxed so it can live in a `Mutex`.
private struct EasyHandle: ~Copyable {
    let pointer: UnsafeMutableRawPointer
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
