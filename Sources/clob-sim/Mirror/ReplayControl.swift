import PolypipeCore
import Synchronization

/// Where a replay stands, and the hold that lets a whole stack start before it runs
/// (`clob-sim serve --replay FILE --hold`; `POST /admin/replay/start` releases it).
///
/// With a hold, the recording's first ``holdMillis`` of records are applied at once (the
/// windows, terms and books it opened with) and the replay clock stands at that instant until
/// released. A stack that connects meanwhile sees the same state every time, which is what
/// makes two replays of one recording trade the same way.
final class ReplayControl: Sendable {
    /// How much of the recording's start is applied before the hold.
    static let holdMillis: Int64 = 2_000

    struct Progress: Sendable, Equatable {
        var total: Int
        var applied = 0
        var held: Bool
        var finished = false
    }

    let clock: SimClock
    private let progress: Mutex<Progress>

    init(clock: SimClock, total: Int, held: Bool) {
        self.clock = clock
        progress = Mutex(Progress(total: total, held: held))
        if held { clock.hold() }
    }

    var snapshot: Progress { progress.withLock { $0 } }

    /// Releases the hold (the clock runs on from where it stood). - Returns: false when it was
    /// not held.
    @discardableResult
    func start() -> Bool {
        let wasHeld = progress.withLock { progress in
            defer { progress.held = false }
            return progress.held
        }
        if wasHeld { clock.release() }
        return wasHeld
    }

    func applied() { progress.withLock { $0.applied += 1 } }
    func finished() { progress.withLock { $0.finished = true } }

    /// For `/admin/state`.
    var json: JSONValue {
        let now = snapshot
        return .object([
            ("records", .number(String(now.total))), ("applied", .number(String(now.applied))),
            ("held", .bool(now.held)), ("finished", .bool(now.finished)),
        ])
    }
}
