#if canImport(Glibc)
import Glibc
#endif
import Logging
import PolypipeRuntime
import Prometheus

/// Serves one registry as Prometheus text at `GET /metrics` on a loopback port, from a thread
/// of its own.
///
/// ```swift
/// let endpoint = try MetricsEndpoint(address: LoopbackAddress("127.0.0.1:0"), registry: registry, logger: logger)
/// endpoint.start()
/// print("metrics on http://\(endpoint.boundAddress)/metrics")
/// …
/// endpoint.stop()
/// ```
///
/// Why not Hummingbird: exec-proc links this, and exec-proc has no NIO (see Package.swift) —
/// a scrape every few seconds needs one blocking socket, not an event loop.
///
/// Rules:
/// - Loopback only (``LoopbackAddress``); one request per connection, answered then closed.
/// - `GET /metrics` → 200 `text/plain; version=0.0.4`; another path → 404; another method → 405.
/// - A client gets 2 s to send its request; a slow or silent one is dropped, never waited for.
public final class MetricsEndpoint: Sendable {
    /// The address actually bound (its port is the one chosen when 0 was asked for).
    public let boundAddress: LoopbackAddress
    private let worker: BackgroundWorker

    public init(address: LoopbackAddress, registry: PrometheusCollectorRegistry, logger: Logger) throws(MetricsError) {
        let (descriptor, bound) = try address.listen()
        boundAddress = bound
        worker = BackgroundWorker(name: "metrics-http") { worker in
            defer { close(descriptor) }
            while !worker.isStopRequested {
                var item = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
                guard poll(&item, 1, 200) > 0 else { continue }
                let client = accept(descriptor, nil, nil)
                guard client >= 0 else { continue }
                _ = fcntl(client, F_SETFD, FD_CLOEXEC)  // never inherited by a child process
                Self.answer(client, registry: registry, logger: logger)
                close(client)
            }
        }
    }

    public func start() { worker.start() }

    /// Stops serving and closes the socket (waits for the thread).
    public func stop() {
        worker.stop()
        worker.join()
    }

    private static func answer(_ client: Int32, registry: PrometheusCollectorRegistry, logger: Logger) {
        var timeout = timeval(tv_sec: 2, tv_usec: 0)
        setsockopt(client, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var request: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 2_048)
        while request.count < 8_192, !request.ends(with: [13, 10, 13, 10]) {
            let count = chunk.withUnsafeMutableBytes { recv(client, $0.baseAddress, $0.count, 0) }
            guard count > 0 else { return }
            request += chunk.prefix(count)
        }
        let line = String(decoding: request.prefix { $0 != 13 && $0 != 10 }, as: UTF8.self).split(separator: " ")
        let (status, type, body): (String, String, [UInt8])
        if line.count < 2 {
            (status, type, body) = ("400 Bad Request", "text/plain", Array("bad request\n".utf8))
        } else if line[0] != "GET" {
            (status, type, body) = ("405 Method Not Allowed", "text/plain", Array("GET only\n".utf8))
        } else if line[1].split(separator: "?").first != "/metrics" {
            (status, type, body) = ("404 Not Found", "text/plain", Array("only /metrics is served here\n".utf8))
        } else {
            (status, type, body) = ("200 OK", "text/plain; version=0.0.4; charset=utf-8", registry.emitToBuffer())
        }
        let head = "HTTP/1.1 \(status)\r\nContent-Type: \(type)\r\nContent-Length: \(body.count)\r\nConnection: close\r\n\r\n"
        var response = Array(head.utf8) + body
        while !response.isEmpty {
            let sent = response.withUnsafeBytes { send(client, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            guard sent > 0 else {
                logger.debug("a metrics client went away before the answer was sent")
                return
            }
            response.removeFirst(sent)
        }
    }

}

extension Array where Element == UInt8 {
    fileprivate func ends(with suffix: [UInt8]) -> Bool { count >= suffix.count && Array(self[(count - suffix.count)...]) == suffix }
}
