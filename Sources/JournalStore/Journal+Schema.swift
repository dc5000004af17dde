import Foundation
import GRDB

/// The journal's SQLite side: its schema, its GRDB configuration, and how each logged
/// ``JournalChange`` becomes rows — the SQL every write ran inline before the log existed.
extension Journal {
    /// Migrations are never changed once shipped; new ones are appended.
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1") { db in
            try db.create(table: "orders") { table in
                table.column("actionID", .text).notNull().primaryKey()
                table.column("orderHash", .text).notNull().unique()
                table.column("market", .text).notNull()
                table.column("body", .blob).notNull()
                table.column("state", .text).notNull()
                table.column("reason", .text)
                table.column("createdAtMillis", .integer).notNull()
                table.column("updatedAtMillis", .integer).notNull()
            }
            try db.create(table: "audit") { table in
                table.autoIncrementedPrimaryKey("id")
                table.column("atMillis", .integer).notNull()
                table.column("actionID", .text)
                table.column("decision", .text).notNull()
                table.column("detail", .text).notNull()
            }
            try db.create(table: "settings") { table in
                table.column("key", .text).notNull().primaryKey()
                table.column("value", .text).notNull()
            }
        }
        migrator.registerMigration("v2-expiry") { db in
            try db.alter(table: "orders") { table in table.add(column: "expiresAtMillis", .integer) }
        }
        // How far the append-only log (journal.sqlite.log) is applied: one row, updated in the
        // same transaction as the rows the frames produce (see `JournalLog`).
        migrator.registerMigration("v3-log") { db in
            try db.create(table: "journalLog") { table in
                table.column("id", .integer).notNull().primaryKey().check(sql: "id = 1")
                table.column("generation", .integer).notNull()
                table.column("appliedOffset", .integer).notNull()
                table.column("retiredGeneration", .integer)
            }
        }
        // Marks (`Journal+Marks.swift`) are audit lines looked up by key and decision.
        migrator.registerMigration("v4-marks") { db in
            try db.create(index: "audit_marks", on: "audit", columns: ["actionID", "decision"])
        }
        // The audit log's hash chain (see `AuditChain`): a hash per row, the head apart.
        migrator.registerMigration("v4-audit-chain") { db in try AuditChainTable.migrate(db) }
        return migrator
    }

    static func entry(_ row: Row) -> Entry? {
        guard let state = State(rawValue: row["state"]) else { return nil }
        let body: Data = row["body"]
        return Entry(actionID: row["actionID"], orderHash: row["orderHash"], market: row["market"], body: Array(body),
                     state: state, reason: row["reason"], createdAtMillis: row["createdAtMillis"], expiresAtMillis: row["expiresAtMillis"])
    }
}

extension JournalChange {
    /// Writes this change's rows (inside the indexer's transaction). Statements are compiled
    /// once per connection (`cachedStatement`).
    /// - Throws: a GRDB error; a record whose action is already a row *with the same order* is
    ///   taken as applied (idempotent), any other conflict is an error.
    func apply(_ db: Database) throws {
        switch self {
        case .record(let actionID, let orderHash, let market, let body, let nowMillis, let expiresAtMillis, let note):
            do {
                try db.cachedStatement(sql: """
                    INSERT INTO orders (actionID, orderHash, market, body, state, createdAtMillis, updatedAtMillis, expiresAtMillis)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                    """).execute(arguments: [actionID, orderHash, market, Data(body), Journal.State.signed.rawValue, nowMillis, nowMillis,
                                           expiresAtMillis])
            } catch let error as DatabaseError where error.resultCode == .SQLITE_CONSTRAINT {
                let same = try Bool.fetchOne(db, sql: "SELECT 1 FROM orders WHERE actionID = ? AND orderHash = ?",
                                             arguments: [actionID, orderHash]) ?? false
                guard same else { throw error }
                return
            }
            if let note { try Self.insert(note, db, nowMillis: nowMillis) }
        case .resign(let actionID, let orderHash, let body, let nowMillis):
            try db.cachedStatement(sql: """
                UPDATE orders SET orderHash = ?, body = ?, state = ?, reason = NULL, updatedAtMillis = ?
                WHERE actionID = ? AND state = ?
                """).execute(arguments: [orderHash, Data(body), Journal.State.signed.rawValue, nowMillis, actionID,
                                       Journal.State.rejected.rawValue])
        case .update(let orderHash, let state, let reason, let nowMillis, let note):
            try db.cachedStatement(sql: "UPDATE orders SET state = ?, reason = ?, updatedAtMillis = ? WHERE orderHash = ?")
                .execute(arguments: [state.rawValue, reason, nowMillis, orderHash])
            if let note { try Self.insert(note, db, nowMillis: nowMillis) }
        case .audit(let note, let nowMillis):
            try Self.insert(note, db, nowMillis: nowMillis)
        case .tradingState(let value):
            try db.cachedStatement(sql: "INSERT INTO settings (key, value) VALUES ('tradingState', ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value")
                .execute(arguments: [value])
        case .setting(let key, let value):
            try db.cachedStatement(sql: "INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value")
                .execute(arguments: [key, value])
        }
    }

    /// An audit row, chained to the one before (``AuditChainTable``).
    private static func insert(_ note: Note, _ db: Database, nowMillis: Int64) throws {
        try AuditChainTable.append(note, db, nowMillis: nowMillis)
    }
}

extension Journal.Durability {
    /// The GRDB configuration of every polypipe database (the journal, the fill store): WAL,
    /// foreign keys on, and `synchronous` as this durability asks; SQLite's own checkpoints.
    package var databaseConfiguration: Configuration { databaseConfiguration(inlineCheckpoints: true) }

    /// - Parameter inlineCheckpoints: false when a ``JournalCheckpointer`` does them instead
    ///   (`wal_autocheckpoint = 0`).
    func databaseConfiguration(inlineCheckpoints: Bool) -> Configuration {
        var configuration = Configuration()
        configuration.foreignKeysEnabled = true
        // Several connections share the file (the indexer's, the readers', the checkpointer's,
        // or a closing process's last one): wait briefly for a lock instead of failing a write.
        configuration.busyMode = .timeout(2)
        let synchronous = self == .powerLoss ? "PRAGMA synchronous = FULL" : "PRAGMA synchronous = NORMAL"
        configuration.prepareDatabase { db in
            try db.execute(sql: "PRAGMA journal_mode = WAL")
            try db.execute(sql: synchronous)
            if !inlineCheckpoints { try db.execute(sql: "PRAGMA wal_autocheckpoint = 0") }
        }
        return configuration
    }
}
