import Foundation
import Logging
import Synchronization

/// The venue dead-man switch (spec §4.6): `POST /v1/heartbeats` every ``interval`` on its own
/// thread and its own connection, so a slow order never delays a heartbeat. Each answer
/// updates ``VenueHealth``; while heartbeats fail, exec-proc refuses new orders (the venue
/// cancels the account's orders when heartbeats stop, so trading on would be blind).
public final class VenueHeartbeat: Sendable {
    private let client: ClobClient
    private let health: VenueHealth
    private let intervalMillis: Int64
    private let logger: Logger
    private let stopped = Atomic<Bool>(false)

    public init(client: ClobClient, health: VenueHealth, intervalMillis: Int64, logger: Logger) {
        self.client = client
        self.health = health
        self.intervalMillis = intervalMillis
        self.logger = logger
    }

    /// Sends one heartbeat now (startup), then keeps sending on a background thread.
    public func start() {
        let thread = Thread { [self] in run() }
        thread.name = "venue-heartbeat"
        thread.start()
    }

    public func stop() { stopped.store(true, ordering: .relaxed) }

    private func run() {
        var id = ""
        var failing = false
        while !stopped.load(ordering: .relaxed) {
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
            var slept: Int64 = 0
            while slept < intervalMillis && !stopped.load(ordering: .relaxed) {
                usleep(50_000)
                slept += 50
            }
        }
    }
}
