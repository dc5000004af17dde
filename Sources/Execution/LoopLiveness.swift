import Synchronization
import PolypipeCore

/// When exec-proc's execution loop last completed an iteration, for the threads that must not
/// outlive it: the venue heartbeat (``VenueHeartbeat``) beats only while the loop is alive, so a
/// deadlocked or stalled loop lets the venue's dead-man switch cancel the account's orders
/// instead of keeping them resting with nobody watching (test matrix HB-06). systemd's watchdog,
/// fed from the same loop, then restarts the process.
public final class LoopLiveness: Sendable {
    private let lastTick: Atomic<Int64>
    /// How long the loop may go without an iteration before it counts as stalled. Longer than
    /// the loop's own longest legitimate pause (a venue call of at most the request timeout on
    /// the loop's thread), shorter than the venue's 10 s dead-man window minus a beat interval.
    public let stallLimitMillis: Int64

    public init(stallLimitMillis: Int64, nowMillis: Int64 = BusClock.nowMillis()) {
        self.stallLimitMillis = stallLimitMillis
        lastTick = Atomic(nowMillis)
    }

    /// Called by the loop once per iteration.
    public func tick(nowMillis: Int64 = BusClock.nowMillis()) { lastTick.store(nowMillis, ordering: .releasing) }

    /// Milliseconds since the last iteration.
    public func silence(nowMillis: Int64 = BusClock.nowMillis()) -> Int64 { nowMillis - lastTick.load(ordering: .acquiring) }

    /// Whether the loop has gone quiet for longer than ``stallLimitMillis``.
    public func isStalled(nowMillis: Int64 = BusClock.nowMillis()) -> Bool { silence(nowMillis: nowMillis) > stallLimitMillis }
}
