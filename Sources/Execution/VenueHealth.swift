import Synchronization
import PolypipeCore

/// Whether the venue heartbeat is current. exec-proc refuses new orders while it is not
/// (fail closed); cancels still go out.
public final class VenueHealth: Sendable {
    private let healthy: Atomic<Bool>
    private let lastSuccessMillis = Atomic<Int64>(0)
    /// A heartbeat older than this counts as failing even if the last call succeeded (a stuck
    /// heartbeat thread must not keep trading open).
    public let staleAfterMillis: Int64

    /// Heartbeats missing for longer than this may have let the venue's dead-man switch fire
    /// (it cancels 10 s after the last heartbeat it received): see ``newLapse(nowMillis:)``.
    public let lapseAfterMillis: Int64

    public init(healthy: Bool = false, staleAfterMillis: Int64 = 12_000, lapseAfterMillis: Int64 = 9_000) {
        self.healthy = Atomic(healthy)
        self.staleAfterMillis = staleAfterMillis
        self.lapseAfterMillis = lapseAfterMillis
        if healthy { lastSuccessMillis.store(BusClock.nowMillis(), ordering: .relaxed) }
    }

    /// Whether new orders may go out now (wall clock): see ``isHealthy(nowMillis:)``.
    public var isHealthy: Bool { isHealthy(nowMillis: BusClock.nowMillis()) }

    /// Whether new orders may go out at `nowMillis` (unix ms): the last heartbeat call
    /// succeeded *and* it succeeded at most ``staleAfterMillis`` ago (inclusive edge). The
    /// second half is the staleness rule: a heartbeat thread that is stuck inside a call never
    /// reports a failure, so "the last call succeeded" alone would keep trading open forever.
    public func isHealthy(nowMillis: Int64) -> Bool {
        healthy.load(ordering: .acquiring) && nowMillis - lastSuccessMillis.load(ordering: .relaxed) <= staleAfterMillis
    }

    public func succeeded(nowMillis: Int64 = BusClock.nowMillis()) {
        let previous = lastSuccessMillis.exchange(nowMillis, ordering: .relaxed)
        // A gap the loop has not reported yet (it may have been frozen along with this thread,
        // and this beat came first): kept for it.
        if previous > 0, nowMillis - previous > lapseAfterMillis, !lapseReported.load(ordering: .relaxed) {
            unreportedLapse.store(nowMillis - previous, ordering: .relaxed)
        }
        lapseReported.store(false, ordering: .relaxed)
        healthy.store(true, ordering: .releasing)
    }

    private let lapseReported = Atomic<Bool>(false)
    private let unreportedLapse = Atomic<Int64>(0)

    /// How long heartbeats were missing, the first time that exceeds ``lapseAfterMillis`` —
    /// still missing now, or missing between the last two successes — then nil until the next
    /// lapse: the venue's dead-man switch may have cancelled every open order, after a freeze of
    /// the whole process (SIGSTOP, a VM pause), a stalled loop or an outage alike. Nil before
    /// the first success.
    public func newLapse(nowMillis: Int64 = BusClock.nowMillis()) -> Int64? {
        let recorded = unreportedLapse.exchange(0, ordering: .relaxed)
        if recorded > 0 { return recorded }
        let last = lastSuccessMillis.load(ordering: .relaxed)
        guard last > 0, nowMillis - last > lapseAfterMillis else { return nil }
        guard !lapseReported.exchange(true, ordering: .relaxed) else { return nil }
        return nowMillis - last
    }

    public func failed() { healthy.store(false, ordering: .releasing) }
}
