import Foundation
import GRDB
import Synchronization

/// Copies the journal's write-ahead log into the database file from a background thread, on
/// its own SQLite connection, so that no commit on exec-proc's signing path pays for it.
///
/// In WAL mode a commit only appends to the log; SQLite's default then makes the commit that
/// pushes the log past 1000 pages copy it back and fsync the database (a *checkpoint*), a
/// stall of milliseconds every few hundred orders. With `wal_autocheckpoint = 0` on the
/// writer, this thread runs a PASSIVE checkpoint every interval instead: it copies what it can
/// without blocking the writer, which keeps appending meanwhile. Durability is unchanged —
/// a committed write is in the log either way, and SQLite replays the log after a crash.
final class JournalCheckpointer: Sendable {
    private let stopped = Atomic<Bool>(false)

    init(path: String, configuration: Configuration, intervalMillis: Int) throws {
        let connection = try DatabaseQueue(path: path, configuration: configuration)
        // The thread owns the connection; `stopped` is the only state it shares with `stop()`.
        let thread = Thread { [self] in
            while !stopped.load(ordering: .relaxed) {
                var slept = 0
                while slept < intervalMillis && !stopped.load(ordering: .relaxed) {
                    usleep(UInt32(min(50, intervalMillis - slept)) * 1_000)
                    slept += 50
                }
                // Best effort: a busy or failed checkpoint is retried at the next interval;
                // the log only grows meanwhile, nothing is lost.
                _ = try? connection.writeWithoutTransaction { db in try db.checkpoint(.passive) }
            }
        }
        thread.name = "journal-checkpoint"
        thread.start()
    }

    func stop() { stopped.store(true, ordering: .relaxed) }
}
