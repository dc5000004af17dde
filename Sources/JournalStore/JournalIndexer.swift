import Foundation
import Synchronization
import PolypipeRuntime

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
    /// Set by an append, cleared by the worker just before it applies: at most one wake-up is
    /// queued however many orders are written meanwhile.
    private final class WakeFlag: Sendable {
        let woken = Atomic<Bool>(false)
    }

    private let flag: WakeFlag
    private let worker: BackgroundWorker

    init(log: JournalLog, batchMicros: UInt32 = 10_000, retryMillis: Int = 200) {
        let flag = WakeFlag()
        self.flag = flag
        worker = BackgroundWorker(name: "journal-indexer") { worker in
            // A timeout (no append) still looks: a failed apply is retried this way.
            while worker.waitForWork(timeoutMilliseconds: Int64(retryMillis)) {
                guard log.pendingCount > 0 else { continue }
                if batchMicros > 0 { usleep(batchMicros) }
                flag.woken.store(false, ordering: .releasing)
                // Best effort here: a failure is retried at the next wake-up or timeout.
                do {
                    try log.applyPending()
                    try log.rotateIfDue()
                } catch {
                    _ = worker.sleep(milliseconds: Int64(retryMillis))
                }
            }
        }
        worker.start()
    }

    /// A change was appended (called by the writer after each).
    func noteAppend() {
        if !flag.woken.exchange(true, ordering: .acquiringAndReleasing) { worker.wake() }
    }

    /// Stops the thread and waits for it: at most the batch wait and one apply.
    func stop() {
        worker.stopAndJoin()
    }
}
