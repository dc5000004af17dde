import Foundation
import Logging
import Synchronization
import VenueClient

/// POSTs each alarm raise and clear to a webhook (Slack- and Telegram-compatible JSON, see
/// ``AlarmWebhookPayload``) from its own thread, so a slow or failing sink never delays a
/// reconciliation cycle (test matrix REC-11). A failed POST is retried with backoff (1, 2, 4,
/// 8 s, then given up and logged); the alarm itself was already logged and published.
public final class AlarmWebhook: Sendable {
    private let path: String
    private let transport: CurlTransport
    private let payload: AlarmWebhookPayload
    private let logger: Logger
    private let queue = Mutex<[String]>([])
    private let available = DispatchSemaphore(value: 0)
    private let stopped = Atomic<Bool>(false)
    private let delivered = Atomic<Int>(0)
    private let failed = Atomic<Int>(0)
    public static let retryDelaysMillis: [UInt32] = [1_000, 2_000, 4_000, 8_000]

    /// - Parameter url: `http(s)://host[:port]/path`; nil when it cannot be used.
    public init?(url: String, payload: AlarmWebhookPayload, logger: Logger, timeoutMillis: Int = 3_000) {
        guard let scheme = url.range(of: "://"), let slash = url[scheme.upperBound...].firstIndex(of: "/") else { return nil }
        guard let transport = try? CurlTransport(baseURL: String(url[..<slash]),
                                                 timeouts: .init(connectMilliseconds: 1_000, totalMilliseconds: timeoutMillis)) else { return nil }
        self.path = String(url[slash...])
        self.transport = transport
        self.payload = payload
        self.logger = logger
    }

    /// Bodies POSTed successfully, and given up after every retry.
    public var counts: (delivered: Int, failed: Int) { (delivered.load(ordering: .relaxed), failed.load(ordering: .relaxed)) }

    public func start() {
        let thread = Thread { [self] in run() }
        thread.name = "alarm-webhook"
        thread.start()
    }

    public func stop() {
        stopped.store(true, ordering: .relaxed)
        available.signal()
    }

    /// Queues one transition (never blocks).
    public func send(_ transition: AlarmTracker.Transition) {
        queue.withLock { $0.append(payload.body(for: transition)) }
        available.signal()
    }

    private func run() {
        while true {
            available.wait()
            if stopped.load(ordering: .relaxed) { return }
            guard let body = queue.withLock({ $0.isEmpty ? nil : $0.removeFirst() }) else { continue }
            deliver(body)
        }
    }

    private func deliver(_ body: String) {
        var attempt = 0
        while !stopped.load(ordering: .relaxed) {
            let request = HTTPRequest(method: "POST", target: path, headers: [("Content-Type", "application/json")], body: Array(body.utf8))
            let status: Int
            do { status = try transport.send(request).status } catch { status = 0 }
            if (200..<300).contains(status) { delivered.add(1, ordering: .relaxed); return }
            guard attempt < Self.retryDelaysMillis.count else {
                failed.add(1, ordering: .relaxed)
                // The host only: a webhook's path is often its secret (Slack, Telegram tokens).
                logger.error("alarm webhook gave up", metadata: ["host": "\(transport.baseURL)", "status": "\(status)", "attempts": "\(attempt + 1)"])
                return
            }
            logger.warning("alarm webhook failed; retrying", metadata: ["status": "\(status)", "retry_in_ms": "\(Self.retryDelaysMillis[attempt])"])
            usleep(Self.retryDelaysMillis[attempt] * 1_000)
            attempt += 1
        }
    }
}
