import Foundation
import GRDB
import Synchronization
import PolypipeCore
import PolypipeRuntime

/// Copies the journal's write-ahead log into the database file from a background thread, on
/// its own SQLite connection, so that no commit on exec-proc's signing path pays for it.
///
/// In WAL mode a commit only appends to the log; SQLite's default then makes the commit that
/// pushes the log past 1000 pages copy it back and fsync the database (a *checkpoint*), a
/// stall of milliseconds every few hundred orders. With `wal_autocheckpoint = 0` on the
/// writer, this thread (a ``BackgroundWorker`` named `journal-checkpt`) runs a PASSIVE checkpoint instead — once commits have paused for
/// `quietMillis`, or after `maxCommits` commits under sustained load. Quiet times matter
/// because even off the writer's thread, the checkpoint's fsync holds the filesystem journal
/// and the next log appends wait for it (measured: tick-to-wire p99 about 3 ms with a
/// checkpoint every 250 ms, about 0.35 ms with none during the run). Durability is unchanged:
/// a committed write is in the log either way, and SQLite replays the log after a crash.
final class JournalCheckpointer: Sendable {
    private let worker = Mutex<BackgroundWorker?>(nil)
    private let lastCommitAtMillis = Atomic<Int64>(0)
    private let commitsSinceCheckpoint = Atomic<Int>(0)

    init(path: String, configuration: Configuration, quietMillis: Int64, maxCommits: Int) throws {
        let connection = try DatabaseQueue(path: path, configuration: configuration)
        // The thread owns the connection; the atomics are all it shares with the writer.
        let worker = BackgroundWorker(name: "journal-checkpt") { [self] worker in
            while worker.sleep(milliseconds: 20) {
                let pending = commitsSinceCheckpoint.load(ordering: .relaxed)
                guard pending > 0 else { continue }
                let quiet = BusClock.nowMillis() - lastCommitAtMillis.load(ordering: .relaxed) >= quietMillis
                guard quiet || pending >= maxCommits else { continue }
                // Best effort: a busy or failed checkpoint is retried at the next chance; the
                // log only grows meanwhile, nothing is lost.
                if (try? connection.writeWithoutTransaction({ db in try db.checkpoint(.passive) })) != nil {
                    commitsSinceCheckpoint.subtract(pending, ordering: .relaxed)
                }
            }
        }
        self.worker.withLock { $0 = worker }
        worker.start()
    }

    /// A write transaction committed (called by the writer after each).
    func noteCommit() {
        lastCommitAtMillis.store(BusClock.nowMillis(), ordering: .relaxed)
        commitsSinceCheckpoint.add(1, ordering: .relaxed)
    }

    /// Stops the thread and waits for it (at most one checkpoint). Idempotent.
    func stop() { worker.withLock { $0 }?.stopAndJoin() }
}
