import Foundation
import Logging
import Synchronization
import VenueClient
import PolypipeRuntime

/// POSTs each alarm raise and clear, and each operator alert (``OperatorAlert``), to a webhook (Slack- and Telegram-compatible JSON, see
/// ``AlarmWebhookPayload``) from its own thread (a ``BackgroundWorker`` named `alarm-webhook`), so a slow or failing sink never delays a
/// reconciliation cycle (test matrix REC-11). A failed POST is retried with backoff (1, 2, 4,
/// 8 s, then given up and logged); the alarm itself was already logged and published.
public final class AlarmWebhook: Sendable {
    private let path: String
    private let transport: CurlTransport
    private let payload: AlarmWebhookPayload
    private let logger: Logger
    private let queue = Mutex<[String]>([])
    private let throttle: Mutex<AlertThrottle>
    private let worker = Mutex<BackgroundWorker?>(nil)
    private let delivered = Atomic<Int>(0)
    private let failed = Atomic<Int>(0)
    public static let retryDelaysMillis: [UInt32] = [1_000, 2_000, 4_000, 8_000]

    /// - Parameter url: `http(s)://host[:port]/path`; nil when it cannot be used.
    /// - Parameter throttle: what operator alerts (``send(alert:)``) may go out; alarm
    ///   transitions are already one per episode and are never throttled.
    public init?(url: String, payload: AlarmWebhookPayload, logger: Logger, timeoutMillis: Int = 3_000,
                 throttle: AlertThrottle = AlertThrottle()) {
        guard let scheme = url.range(of: "://"), let slash = url[scheme.upperBound...].firstIndex(of: "/") else { return nil }
        guard let transport = try? CurlTransport(baseURL: String(url[..<slash]),
                                                 timeouts: .init(connectMilliseconds: 1_000, totalMilliseconds: timeoutMillis)) else { return nil }
        self.path = String(url[slash...])
        self.transport = transport
        self.payload = payload
        self.logger = logger
        self.throttle = Mutex(throttle)
    }

    /// Bodies POSTed successfully, and given up after every retry.
    public var counts: (delivered: Int, failed: Int) { (delivered.load(ordering: .relaxed), failed.load(ordering: .relaxed)) }

    /// Starts the sending thread. Call once.
    public func start() {
        let worker = BackgroundWorker(name: "alarm-webhook") { [self] in run($0) }
        self.worker.withLock { $0 = worker }
        worker.start()
    }

    /// Stops the thread and waits for it: a POST in flight finishes (bounded by its timeout), a
    /// retry wait ends at once, what is still queued is dropped (it was logged and published).
    /// Idempotent; does nothing before ``start()``.
    public func stop() { worker.withLock { $0 }?.stopAndJoin() }

    /// Queues one transition (never blocks).
    public func send(_ transition: AlarmTracker.Transition) {
        queue.withLock { $0.append(payload.body(for: transition)) }
        worker.withLock { $0 }?.wake()
    }

    /// Queues one operator alert unless the throttle holds it back (never blocks). - Returns:
    /// whether it was queued.
    @discardableResult
    public func send(alert: OperatorAlert) -> Bool {
        guard let suppressed = throttle.withLock({ $0.admit(alert) }) else {
            logger.notice("operator alert suppressed (repeat or rate limit)", metadata: ["kind": "\(alert.kind.rawValue)", "subject": "\(alert.subject)"])
            return false
        }
        queue.withLock { $0.append(alert.body(source: payload.source, chatID: payload.chatID, suppressed: suppressed)) }
        worker.withLock { $0 }?.wake()
        return true
    }

    /// Sends what is queued (including what came before ``start()``), then waits for more.
    private func run(_ worker: BackgroundWorker) {
        repeat {
            while !worker.isStopRequested, let body = queue.withLock({ $0.isEmpty ? nil : $0.removeFirst() }) {
                deliver(body, worker: worker)
            }
        } while worker.waitForWork()
    }

    private func deliver(_ body: String, worker: BackgroundWorker) {
        var attempt = 0
        while !worker.isStopRequested {
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
            worker.sleep(milliseconds: Int64(Self.retryDelaysMillis[attempt]))
            attempt += 1
        }
    }
}
