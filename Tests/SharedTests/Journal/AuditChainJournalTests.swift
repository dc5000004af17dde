import Foundation
import GRDB
import Testing
import JournalStore

/// The audit chain as the journal keeps it: lines written through ``Journal``, the SQLite file
/// then changed behind its back (as someone with write access to the file would), and
/// ``Journal/verifyAudit()`` naming the first bad row. A fresh directory per test.
@Suite struct AuditChainJournalTests {
    let directory: URL
    var path: String { directory.appendingPathComponent("journal.sqlite").path }

    init() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("polypipe-audit-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    /// Five audit lines: two with orders, three alone; all applied to SQLite.
    func fiveLines() throws {
        let journal = try Journal(path: path, indexing: .onRead)
        _ = try journal.record(actionID: "a1", orderHash: "0x01", market: "m", body: [1], nowMillis: 10, expiresAtMillis: 100,
                               audit: ("signed", "BUY 10 @ 0.50"))
        try journal.audit(actionID: "a2", decision: "refused", detail: "price outside band", nowMillis: 20)
        try journal.update(orderHash: "0x01", to: .accepted, nowMillis: 30, audit: ("a1", "accepted", "resting"))
        try journal.audit(actionID: nil, decision: "halt", detail: "operator", nowMillis: 40)
        try journal.audit(actionID: "a3", decision: "refused", detail: "stale", nowMillis: 50)
        #expect(try journal.auditCount() == 5)
    }

    /// Runs `sql` on the file directly, then verifies through a newly opened journal.
    func tamper(_ sql: String) throws -> Journal.AuditVerification {
        let queue = try DatabaseQueue(path: path)
        try queue.write { try $0.execute(sql: sql) }
        return try Journal(path: path, indexing: .onRead).verifyAudit()
    }

    @Test func anIntactChainVerifiesAndKeepsGrowingAcrossInstances() throws {
        defer { try? FileManager.default.removeItem(at: directory) }
        try fiveLines()
        let journal = try Journal(path: path, indexing: .onRead)
        let first = try journal.verifyAudit()
        #expect(first.isIntact && first.head.count == 5 && first.head.lastID == 5)
        try journal.audit(actionID: nil, decision: "resume", detail: "operator", nowMillis: 60)
        let second = try journal.verifyAudit()
        #expect(second.isIntact && second.head.count == 6 && second.head.hash != first.head.hash)
        #expect(try journal.auditTrail(sinceMillis: 40).map(\.id) == [4, 5, 6])
    }

    @Test func aChangedDetailIsFound() throws {
        defer { try? FileManager.default.removeItem(at: directory) }
        try fiveLines()
        let result = try tamper("UPDATE audit SET detail = 'price inside band' WHERE id = 2")
        #expect(result.firstBad == AuditFault(id: 2, atMillis: 20, problem: .changed))
    }

    /// Ids are consecutive integers, so a row can only be slipped in before the first or after
    /// the last (renumbering the rest changes their hashes: see `aChangedDetailIsFound`).
    @Test func anInsertedRowIsFound() throws {
        defer { try? FileManager.default.removeItem(at: directory) }
        try fiveLines()
        // After the last, with a hash copied from a real row.
        var result = try tamper("""
            INSERT INTO audit (id, atMillis, actionID, decision, detail, chainHash)
            SELECT 6, 55, 'x', 'signed', 'never happened', chainHash FROM audit WHERE id = 5
            """)
        #expect(result.firstBad == AuditFault(id: 6, atMillis: 55, problem: .inserted))
        // Before the first, without a hash.
        result = try tamper("""
            DELETE FROM audit WHERE id = 6;
            INSERT INTO audit (id, atMillis, actionID, decision, detail) VALUES (0, 5, 'y', 'signed', 'never happened either')
            """)
        #expect(result.firstBad == AuditFault(id: 0, atMillis: 5, problem: .inserted))
    }

    @Test func aDeletedMiddleRowIsFound() throws {
        defer { try? FileManager.default.removeItem(at: directory) }
        try fiveLines()
        let result = try tamper("DELETE FROM audit WHERE id = 3")
        #expect(result.firstBad == AuditFault(id: 4, atMillis: 40, problem: .missingBefore(previousID: 2)))
    }

    @Test func aDeletedLastRowIsFound() throws {
        defer { try? FileManager.default.removeItem(at: directory) }
        try fiveLines()
        let result = try tamper("DELETE FROM audit WHERE id = 5")
        #expect(result.firstBad == AuditFault(id: 5, atMillis: nil, problem: .missingAtEnd(expectedCount: 5, expectedLastID: 5, foundCount: 4)))
    }

    /// A journal from before the chain (schema v1 up to the log, audit rows present) migrates:
    /// its rows are chained in id order, new rows extend the chain, and tampering with an old
    /// row is found from then on.
    @Test func aJournalWithAuditRowsFromBeforeTheChainMigrates() throws {
        defer { try? FileManager.default.removeItem(at: directory) }
        let v3 = """
            CREATE TABLE grdb_migrations (identifier TEXT NOT NULL PRIMARY KEY);
            INSERT INTO grdb_migrations VALUES ('v1'), ('v2-expiry'), ('v3-log');
            CREATE TABLE orders (actionID TEXT NOT NULL PRIMARY KEY, orderHash TEXT NOT NULL UNIQUE, market TEXT NOT NULL,
                body BLOB NOT NULL, state TEXT NOT NULL, reason TEXT, createdAtMillis INTEGER NOT NULL, updatedAtMillis INTEGER NOT NULL,
                expiresAtMillis INTEGER);
            CREATE TABLE audit (id INTEGER PRIMARY KEY AUTOINCREMENT, atMillis INTEGER NOT NULL, actionID TEXT, decision TEXT NOT NULL, detail TEXT NOT NULL);
            CREATE TABLE settings (key TEXT NOT NULL PRIMARY KEY, value TEXT NOT NULL);
            CREATE TABLE journalLog (id INTEGER NOT NULL PRIMARY KEY CHECK (id = 1), generation INTEGER NOT NULL,
                appliedOffset INTEGER NOT NULL, retiredGeneration INTEGER);
            INSERT INTO audit (atMillis, actionID, decision, detail) VALUES (1, 'a1', 'signed', 'old one'), (2, NULL, 'halt', 'old two'),
                (3, 'a3', 'refused', 'old three');
            """
        do {
            let earlier = try DatabaseQueue(path: path)
            try earlier.write { try $0.execute(sql: v3) }
        }
        do {
            let journal = try Journal(path: path, indexing: .onRead)
            let migrated = try journal.verifyAudit()
            #expect(migrated.isIntact && migrated.head.count == 3 && migrated.head.lastID == 3)
            try journal.audit(actionID: nil, decision: "resume", detail: "new", nowMillis: 4)
            let extended = try journal.verifyAudit()
            #expect(extended.isIntact && extended.head.count == 4)
            #expect(try journal.auditTrail().map(\.detail) == ["old one", "old two", "old three", "new"])
        }
        let result = try tamper("UPDATE audit SET decision = 'resume' WHERE id = 2")
        #expect(result.firstBad == AuditFault(id: 2, atMillis: 2, problem: .changed))
    }
}
