import Foundation
import Logging
import Synchronization
import VenueClient
import PolypipeRuntime

/// The venue dead-man switch (spec §4.6): `POST /v1/heartbeats` every `intervalMillis` on its
/// own thread (a ``BackgroundWorker`` named `venue-heartbeat`) and its own connection, so a slow order never delays a heartbeat. Each answer
/// updates ``VenueHealth``; while heartbeats fail, exec-proc refuses new orders (the venue
/// cancels the account's orders when heartbeats stop, so trading on would be blind).
///
/// Given a ``LoopLiveness``, it beats only while the execution loop is alive: a heartbeat thread
/// that outlived a deadlocked loop would keep the account's orders armed and resting with
/// nobody able to manage them. Withheld beats let the venue cancel them (test matrix HB-06).
public final class VenueHeartbeat: Sendable {
    private let client: any VenueAPI
    private let health: VenueHealth
    private let intervalMillis: Int64
    private let liveness: LoopLiveness?
    private let logger: Logger
    private let worker = Mutex<BackgroundWorker?>(nil)
    private let sentCount = Atomic<Int>(0)
    private let withheldCount = Atomic<Int>(0)

    public init(client: any VenueAPI, health: VenueHealth, intervalMillis: Int64, liveness: LoopLiveness? = nil, logger: Logger) {
        self.client = client
        self.health = health
        self.intervalMillis = intervalMillis
        self.liveness = liveness
        self.logger = logger
    }

    /// Heartbeats sent so far (answered or not).
    public var sent: Int { sentCount.load(ordering: .relaxed) }
    /// Heartbeats withheld because the execution loop was stalled.
    public var withheld: Int { withheldCount.load(ordering: .relaxed) }

    /// Sends one heartbeat now (startup), then keeps sending on a background thread. Call once.
    public func start() {
        let worker = BackgroundWorker(name: "venue-heartbeat") { [self] in run($0) }
        self.worker.withLock { $0 = worker }
        worker.start()
    }

    /// Stops the thread and waits for it (at most the heartbeat request in flight, bounded by
    /// the client's timeout). Idempotent; does nothing before ``start()``.
    public func stop() { worker.withLock { $0 }?.stopAndJoin() }

    private func run(_ worker: BackgroundWorker) {
        var id = ""
        var failing = false
        var withholding = false
        while !worker.isStopRequested {
            if let liveness, liveness.isStalled() {
                withheldCount.add(1, ordering: .relaxed)
                health.failed()
                if !withholding {
                    logger.critical("execution loop stalled; heartbeats withheld so the venue cancels this account's orders",
                                    metadata: ["loop.silent_ms": "\(liveness.silence())", "loop.stall_limit_ms": "\(liveness.stallLimitMillis)"])
                }
                withholding = true
                worker.sleep(milliseconds: intervalMillis)
                continue
            }
            if withholding {
                logger.notice("execution loop alive again; heartbeats resume", metadata: ["heartbeats.withheld": "\(withheld)"])
                withholding = false
            }
            sentCount.add(1, ordering: .relaxed)
            do {
                id = try client.heartbeat(id: id)
                health.succeeded()
                if failing { logger.notice("venue heartbeat recovered; new orders allowed again") }
                failing = false
            } catch {
                health.failed()
                if !failing { logger.error("venue heartbeat failed; refusing new orders until it recovers", metadata: ["error": "\(error)"]) }
                failing = true
                id = ""  // start a new chain: the venue answers a stale id with 400
            }
            worker.sleep(milliseconds: intervalMillis)
        }
    }
}
