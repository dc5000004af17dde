import Foundation
import GRDB

/// The audit chain in SQLite: the `audit` table's `chainHash` column and the one-row
/// `auditChain` table holding the head (``AuditHead``).
///
/// Rows are chained as they are applied to SQLite, inside the indexer's transaction. The log
/// is applied in order and exactly once (``JournalLog``), whichever instance applies it, so
/// every journal that applies the same log computes the same chain. The row, its hash and the
/// head are written in one transaction: a crash leaves all three or none.
enum AuditChainTable {
    /// Adds `chainHash` to `audit`, creates `auditChain`, and chains the rows already there in
    /// id order (a journal written before the chain existed: its rows are protected from here
    /// on, not proved untouched before).
    static func migrate(_ db: Database) throws {
        try db.alter(table: "audit") { table in table.add(column: "chainHash", .blob) }
        try db.create(table: "auditChain") { table in
            table.column("id", .integer).notNull().primaryKey().check(sql: "id = 1")
            table.column("count", .integer).notNull()
            table.column("lastID", .integer)
            table.column("headHash", .blob).notNull()
        }
        var head = AuditHead.empty
        let rows = try Row.fetchAll(db, sql: "SELECT id, atMillis, actionID, decision, detail FROM audit ORDER BY id")
        for row in rows {
            let fields = Self.fields(row)
            let hash = AuditChain.link(previous: head.hash, fields)
            try db.execute(sql: "UPDATE audit SET chainHash = ? WHERE id = ?", arguments: [Data(hash), fields.id])
            head = AuditHead(count: head.count + 1, lastID: fields.id, hash: hash)
        }
        try save(head, db)
    }

    /// Appends one audit row and extends the chain (inside the caller's transaction).
    static func append(_ note: JournalChange.Note, _ db: Database, nowMillis: Int64) throws {
        let head = try Self.head(db)
        try db.cachedStatement(sql: "INSERT INTO audit (atMillis, actionID, decision, detail) VALUES (?, ?, ?, ?)")
            .execute(arguments: [nowMillis, note.actionID, note.decision, note.detail])
        let fields = AuditChain.Fields(id: db.lastInsertedRowID, atMillis: nowMillis, actionID: note.actionID,
                                       decision: note.decision, detail: note.detail)
        let hash = AuditChain.link(previous: head.hash, fields)
        try db.cachedStatement(sql: "UPDATE audit SET chainHash = ? WHERE id = ?").execute(arguments: [Data(hash), fields.id])
        try save(AuditHead(count: head.count + 1, lastID: fields.id, hash: hash), db)
    }

    /// The head as recorded (``AuditHead/empty`` before the first row).
    static func head(_ db: Database) throws -> AuditHead {
        guard let row = try Row.fetchOne(db.cachedStatement(sql: "SELECT count, lastID, headHash FROM auditChain WHERE id = 1")) else {
            return .empty
        }
        let hash: Data = row["headHash"]
        return AuditHead(count: row["count"], lastID: row["lastID"], hash: Array(hash))
    }

    /// Every row in id order, streamed; then the fault, if any (``AuditChain/verify(_:head:)``).
    /// The head and the rows are read in one transaction, so another process appending
    /// meanwhile (exec-proc's indexer) cannot make them disagree.
    static func verify(_ db: Database) throws -> (head: AuditHead, fault: AuditFault?) {
        var result: (head: AuditHead, fault: AuditFault?) = (.empty, nil)
        try db.inTransaction(.deferred) {
            result = try verifyInTransaction(db)
            return .commit
        }
        return result
    }

    private static func verifyInTransaction(_ db: Database) throws -> (head: AuditHead, fault: AuditFault?) {
        let head = try Self.head(db)
        let cursor = try Row.fetchCursor(db, sql: "SELECT id, atMillis, actionID, decision, detail, chainHash FROM audit ORDER BY id")
        var failure: (any Error)?
        let rows = AnySequence {
            AnyIterator { () -> AuditChain.Row? in
                do {
                    return try cursor.next().map { row in
                        let hash: Data? = row["chainHash"]
                        return AuditChain.Row(fields: Self.fields(row), chainHash: hash.map(Array.init))
                    }
                } catch {
                    failure = error
                    return nil
                }
            }
        }
        let fault = AuditChain.verify(rows, head: head)
        if let failure { throw failure }
        return (head, fault)
    }

    static func fields(_ row: Row) -> AuditChain.Fields {
        AuditChain.Fields(id: row["id"], atMillis: row["atMillis"], actionID: row["actionID"], decision: row["decision"], detail: row["detail"])
    }

    private static func save(_ head: AuditHead, _ db: Database) throws {
        try db.cachedStatement(sql: """
            INSERT INTO auditChain (id, count, lastID, headHash) VALUES (1, ?, ?, ?)
            ON CONFLICT(id) DO UPDATE SET count = excluded.count, lastID = excluded.lastID, headHash = excluded.headHash
            """).execute(arguments: [head.count, head.lastID, Data(head.hash)])
    }
}
