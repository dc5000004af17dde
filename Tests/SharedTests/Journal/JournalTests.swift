import Foundation
import GRDB
import Testing
import JournalStore

/// Each test gets a fresh database in its own temporary directory (as GRDB's own tests do).
@Suite struct JournalTests {
    let directory: URL
    var path: String { directory.appendingPathComponent("journal.sqlite").path }

    init() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("polypipe-journal-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    @Test func anActionIsJournaledOnceAndSurvivesAReopen() throws {
        do {
            let journal = try Journal(path: path)
            #expect(try journal.record(actionID: "a1", orderHash: "0x01", market: "m", body: [1, 2, 3], nowMillis: 10, expiresAtMillis: 3_010) == .new)
            guard case .existing(let entry) = try journal.record(actionID: "a1", orderHash: "0x02", market: "m", body: [9], nowMillis: 11, expiresAtMillis: nil) else {
                Issue.record("a second order for the same action was journaled"); return
            }
            #expect(entry.orderHash == "0x01" && entry.body == [1, 2, 3] && entry.state == .signed)
            try journal.update(orderHash: "0x01", to: .unknown, reason: "timed out", nowMillis: 12)
        }
        // A new process (here: a new connection) finds the order and its state.
        let reopened = try Journal(path: path)
        let entry = try #require(try reopened.entry(actionID: "a1"))
        #expect(entry.state == .unknown && entry.reason == "timed out" && entry.body == [1, 2, 3])
        #expect(try reopened.entries(in: [.signed, .unknown]).map(\.actionID) == ["a1"])
        // The action's validity survives too: resendable until 3 010 ms, never from then on.
        #expect(entry.expiresAtMillis == 3_010)
        #expect(entry.isCurrent(atMillis: 3_009) && !entry.isCurrent(atMillis: 3_010))
        try? FileManager.default.removeItem(at: directory)
    }

    /// A journal written before orders carried their expiry opens, keeps every row, and treats
    /// those rows as expired (never resent): the safe reading of a missing deadline.
    @Test func aJournalFromBeforeExpiryMigratesAndItsOrdersCountAsExpired() throws {
        let v1 = """
            CREATE TABLE grdb_migrations (identifier TEXT NOT NULL PRIMARY KEY);
            INSERT INTO grdb_migrations VALUES ('v1');
            CREATE TABLE orders (actionID TEXT NOT NULL PRIMARY KEY, orderHash TEXT NOT NULL UNIQUE, market TEXT NOT NULL,
                body BLOB NOT NULL, state TEXT NOT NULL, reason TEXT, createdAtMillis INTEGER NOT NULL, updatedAtMillis INTEGER NOT NULL);
            CREATE TABLE audit (id INTEGER PRIMARY KEY AUTOINCREMENT, atMillis INTEGER NOT NULL, actionID TEXT, decision TEXT NOT NULL, detail TEXT NOT NULL);
            CREATE TABLE settings (key TEXT NOT NULL PRIMARY KEY, value TEXT NOT NULL);
            INSERT INTO orders VALUES ('old', '0x0a', 'm', x'0102', 'unknown', NULL, 5, 5);
            """
        do {
            let earlier = try DatabaseQueue(path: path)  // closed at the end of this scope
            try earlier.write { try $0.execute(sql: v1) }
        }

        let journal = try Journal(path: path)
        let old = try #require(try journal.entry(actionID: "old"))
        #expect(old.state == .unknown && old.body == [1, 2] && old.expiresAtMillis == nil)
        #expect(!old.isCurrent(atMillis: 6))
        #expect(try journal.record(actionID: "new", orderHash: "0x0b", market: "m", body: [3], nowMillis: 7, expiresAtMillis: 100) == .new)
        #expect(try journal.entry(actionID: "new")?.expiresAtMillis == 100)
        try? FileManager.default.removeItem(at: directory)
    }

    @Test func theSameOrderHashCannotBelongToTwoActions() throws {
        let journal = try Journal(path: path)
        _ = try journal.record(actionID: "a1", orderHash: "0x01", market: "m", body: [1], nowMillis: 1, expiresAtMillis: nil)
        #expect(throws: Journal.Failure.self) { try journal.record(actionID: "a2", orderHash: "0x01", market: "m", body: [1], nowMillis: 2, expiresAtMillis: nil) }
        try? FileManager.default.removeItem(at: directory)
    }

    @Test func auditIsAppendOnlyAndTradingStatePersists() throws {
        do {
            let journal = try Journal(path: path)
            #expect(try journal.tradingState() == .running)
            try journal.audit(actionID: "a1", decision: "reject", detail: "price outside band", nowMillis: 1)
            try journal.audit(actionID: nil, decision: "halt", detail: "operator", nowMillis: 2)
            try journal.setTradingState(.halted)
        }
        let reopened = try Journal(path: path)
        #expect(try reopened.auditCount() == 2)
        #expect(try reopened.tradingState() == .halted)
        try? FileManager.default.removeItem(at: directory)
    }

    /// Commits only append to the write-ahead log; the checkpointer thread, not a commit, copies
    /// it into the database file, once commits pause. While they keep coming nothing is copied
    /// during 300 commits (SQLite's inline checkpoint, at 1000 log pages, is off); once they
    /// pause (a short quiet time) it is.
    @Test(arguments: [false, true])
    func theLogIsCopiedIntoTheDatabaseByTheCheckpointerOnly(checkpointSoon: Bool) throws {
        let journal = try Journal(path: path, checkpointing: .background(quietMillis: checkpointSoon ? 50 : 600_000, maxCommits: 1_000_000))
        func databaseSize() -> Int { ((try? FileManager.default.attributesOfItem(atPath: path)[.size]) as? Int) ?? -1 }
        let initial = databaseSize()
        let body = [UInt8](repeating: 0x7B, count: 1_200)
        for index in 0..<300 {
            _ = try journal.record(actionID: "a\(index)", orderHash: String(format: "0x%064x", index), market: "m", body: body,
                                   nowMillis: Int64(index), expiresAtMillis: nil, audit: ("signed", "detail \(index)"))
        }
        // Wait for all of it: under load a pause mid-loop may already have copied a part.
        let deadline = Date().addingTimeInterval(10)
        while checkpointSoon && databaseSize() <= initial + 300 * 1_200 && Date() < deadline { usleep(20_000) }
        if checkpointSoon {
            #expect(databaseSize() > initial + 300 * 1_200, "the checkpointer copied the orders into the database file")
        } else {
            #expect(databaseSize() == initial, "no commit checkpointed inline")
        }
        #expect(try journal.entries(in: [.signed]).count == 300)
        try? FileManager.default.removeItem(at: directory)
    }

    /// Another connection holding the write lock (the checkpointer, or a closing process's
    /// last connection finishing its checkpoint — seen once in CI as "database is locked" on a
    /// reopen) makes the journal wait, not fail. Opening and recording need no SQLite write
    /// lock (a record goes to the log); applying the log to SQLite does, and waits for it.
    @Test func aLockedDatabaseIsWaitedForNotAnError() throws {
        do { _ = try Journal(path: path) }
        var lockerConfiguration = Configuration()
        lockerConfiguration.busyMode = .timeout(5)  // the closed journal's checkpointer may still be finishing
        let locker = try DatabaseQueue(path: path, configuration: lockerConfiguration)
        let locked = DispatchSemaphore(value: 0), released = DispatchSemaphore(value: 0)
        Thread.detachNewThread {
            // One database access holds the write lock for 300 ms (GRDB allows no open
            // transaction across accesses).
            try? locker.writeWithoutTransaction { db in
                try db.execute(sql: "BEGIN EXCLUSIVE")
                locked.signal()
                usleep(300_000)
                try db.execute(sql: "COMMIT")
            }
            released.signal()
        }
        locked.wait()
        let started = Date()
        let journal = try Journal(path: path)
        _ = try journal.record(actionID: "after-lock", orderHash: "0x01", market: "m", body: [1], nowMillis: 1, expiresAtMillis: nil)
        try journal.index()
        #expect(Date().timeIntervalSince(started) >= 0.25, "it waited for the lock")
        released.wait()
        #expect(try journal.entry(actionID: "after-lock") != nil)
        try? FileManager.default.removeItem(at: directory)
    }

    @Test func anUnopenablePathIsAClearError() {
        do {
            _ = try Journal(path: "/nonexistent-\(UUID().uuidString)/journal.sqlite")
            Issue.record("opened a journal in a directory that does not exist")
        } catch {
            #expect(error.description.hasPrefix("journal /nonexistent-"))
        }
    }
}
