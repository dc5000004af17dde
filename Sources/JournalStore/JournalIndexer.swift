import Foundation
import Synchronization

/// The thread that applies the journal's log to SQLite, off the signing path.
///
/// An append wakes it (one atomic exchange, and a semaphore signal only when it was not already
/// woken); it then waits `batchMicros` (10 ms by default) so that the changes of the next orders
/// go into one SQLite transaction — at 1,000 orders/s, one wake-up and one commit per ten orders
/// instead of one per order, which the signing thread shares two cores with — applies them, and empties the log
/// when it is due (``JournalLog/rotateIfDue()``). A failed apply is retried after `retryMillis`:
/// the changes stay in the log and in memory, so nothing is lost and every read stays exact
/// (wide reads apply the log themselves and report the error).
///
/// It holds the ``JournalLog``, never the ``Journal``: the journal's `deinit` stops it.
final class JournalIndexer: Sendable {
    private let stopped = Atomic<Bool>(false)
    private let woken = Atomic<Bool>(false)
    private let wakeup = DispatchSemaphore(value: 0)

    init(log: JournalLog, batchMicros: UInt32 = 10_000, retryMillis: Int = 200) {
        let thread = Thread { [self] in
            while !stopped.load(ordering: .acquiring) {
                _ = wakeup.wait(timeout: .now() + .milliseconds(retryMillis))
                if stopped.load(ordering: .acquiring) { break }
                guard log.pendingCount > 0 else { continue }
                if batchMicros > 0 { usleep(batchMicros) }
                woken.store(false, ordering: .releasing)
                // Best effort here: a failure is retried at the next wake-up or timeout.
                do {
                    try log.applyPending()
                    try log.rotateIfDue()
                } catch {
                    usleep(UInt32(retryMillis) * 1_000)
                }
            }
        }
        thread.name = "journal-indexer"
        thread.start()
    }

    /// A change was appended (called by the writer after each).
    func noteAppend() {
        if !woken.exchange(true, ordering: .acquiringAndReleasing) { wakeup.signal() }
    }

    func stop() {
        stopped.store(true, ordering: .releasing)
        wakeup.signal()
    }
}
