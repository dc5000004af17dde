import Foundation
import GRDB
import PolypipeCore

/// exec-proc's durable memory (SQLite through GRDB): every order is written *before* it is
/// sent, with its order hash (= the venue's order ID) and the exact body bytes, so a crash at
/// any point is resolved by asking the venue about that hash — never by signing again. An
/// action id can be journaled once only (exactly-once across restarts).
///
/// Thread safety: a `DatabaseQueue` serializes all access; the journal can be shared.
public final class Journal: Sendable {
    /// Where an order stands, as far as the journal knows.
    public enum State: String, Sendable, CaseIterable {
        /// Signed and written; not (yet) sent.
        case signed
        /// The venue placed it.
        case accepted
        /// The venue proved it will not place it.
        case rejected
        /// Sent, but no proof either way (timeout, reset, 5xx): resolve by order ID.
        case unknown
        case canceled
        case filled
        /// Signed in dry-run mode: never sent, by design.
        case dryRun
        /// The venue has no such order long after it was signed: it never reached the book
        /// (a crash before the request left, or a request the venue dropped). Not "rejected":
        /// the venue proved nothing; the journal stops waiting for it.
        case absent

        /// The venue may still hold (or later show) this order.
        public var mayBeLive: Bool { self == .signed || self == .unknown || self == .accepted }
    }

    /// One journaled order.
    public struct Entry: Sendable, Hashable {
        public let actionID: String
        public let orderHash: String
        public let market: String
        public let body: [UInt8]
        public var state: State
        public var reason: String?
        public let createdAtMillis: Int64
        /// When the strategy's action stops being valid (its `created_at_ms + ttl_ms`): past
        /// it, these bytes are never sent again, whatever happened to the first attempt. nil
        /// for orders journaled before the column existed (treated as expired).
        public let expiresAtMillis: Int64?

        /// Whether the action behind this order may still be sent at `nowMillis`.
        public func isCurrent(atMillis nowMillis: Int64) -> Bool {
            guard let expiresAtMillis else { return false }
            return nowMillis < expiresAtMillis
        }
    }

    /// Why the journal could not do what was asked. SQL arguments never appear in it.
    public struct Failure: Error, CustomStringConvertible {
        public let description: String
    }

    private let queue: DatabaseQueue
    private let checkpointer: JournalCheckpointer?

    /// How far a committed write is guaranteed to survive.
    public enum Durability: Sendable {
        /// Survives the process dying at any point (`kill -9`, a crash): SQLite WAL with
        /// `synchronous=NORMAL`, no fsync per write. A power loss or kernel crash may roll back
        /// the last writes. The default: exec-proc's startup reconciliation counts venue orders
        /// the journal does not know, so such a loss is seen, not silent.
        case processCrash
        /// Also survives power loss: `synchronous=FULL`, an fsync per commit (milliseconds on
        /// most disks; it caps the order rate accordingly).
        case powerLoss
    }

    /// Who copies the write-ahead log back into the database file (a *checkpoint*).
    public enum Checkpointing: Sendable, Equatable {
        /// SQLite's default: the commit that takes the log past 1000 pages checkpoints inline,
        /// so every few hundred orders one write waits for the copy and its fsync (milliseconds).
        case inline
        /// A background thread with its own connection checkpoints once no commit has come for
        /// `quietMillis`, or after `maxCommits` commits under sustained load; commits on the
        /// signing path never wait for one. The default. (A checkpoint's fsync on the same
        /// filesystem stalls the next log appends for milliseconds, so it is kept to quiet times.)
        case background(quietMillis: Int64, maxCommits: Int)

        public static let standard = Checkpointing.background(quietMillis: 200, maxCommits: 20_000)
    }

    /// Opens (creating and migrating) the journal at `path`.
    /// - Throws: ``Failure``.
    public init(path: String, durability: Durability = .processCrash,
                checkpointing: Checkpointing = .standard) throws(Failure) {
        do {
            let configuration = durability.databaseConfiguration(inlineCheckpoints: checkpointing == .inline)
            queue = try DatabaseQueue(path: path, configuration: configuration)
            try Self.migrator.migrate(queue)
            if case .background(let quiet, let maxCommits) = checkpointing {
                checkpointer = try JournalCheckpointer(path: path, configuration: configuration, quietMillis: quiet, maxCommits: maxCommits)
            } else {
                checkpointer = nil
            }
        } catch {
            throw Failure(description: "journal \(path): \(error)")
        }
    }

    deinit { checkpointer?.stop() }

    /// Every write transaction goes through here, so the checkpointer knows when it is quiet.
    private func write<T>(_ updates: (Database) throws -> T) throws -> T {
        defer { checkpointer?.noteCommit() }
        return try queue.write(updates)
    }

    /// Migrations are never changed once shipped; new ones are appended.
    private static var migrator: DatabaseMigrator {
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
        return migrator
    }

    /// What ``record(_:)`` did.
    public enum Recorded: Sendable, Hashable {
        case new
        /// This action id was journaled before: nothing new was written; here is what was.
        case existing(Entry)
    }

    /// Writes a signed order before it is sent; refuses a second order for the same action id.
    /// - Throws: ``Failure``.
    /// - Parameter expiresAtMillis: the end of the action's validity: a resend after a crash or
    ///   an unknown outcome never happens past it.
    /// - Parameter audit: an audit line (decision, detail) written in the same transaction when
    ///   the order is new: one commit on the signing path instead of two.
    public func record(actionID: String, orderHash: String, market: String, body: [UInt8], nowMillis: Int64,
                       expiresAtMillis: Int64?, audit: (decision: String, detail: String)? = nil) throws(Failure) -> Recorded {
        do {
            return try write { db -> Recorded in
                // Insert first: the primary key refuses a second row for the action id, and only
                // then is the existing row read (no SELECT on the common path).
                do {
                    try db.cachedStatement(sql: """
                        INSERT INTO orders (actionID, orderHash, market, body, state, createdAtMillis, updatedAtMillis, expiresAtMillis)
                        VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                        """).execute(arguments: [actionID, orderHash, market, Data(body), State.signed.rawValue, nowMillis, nowMillis,
                                               expiresAtMillis])
                } catch let error as DatabaseError where error.resultCode == .SQLITE_CONSTRAINT {
                    guard let existing = try Self.entry(db, actionID: actionID) else { throw error }
                    return .existing(existing)
                }
                if let audit { try Self.insertAudit(db, actionID: actionID, decision: audit.decision, detail: audit.detail, nowMillis: nowMillis) }
                return .new
            }
        } catch {
            throw Failure(description: "journal: cannot record action \(actionID): \(error)")
        }
    }

    /// Replaces a *rejected* order of `actionID` with a newly signed one (after
    /// `order_version_mismatch`, the one case where an action is signed twice: the venue proved
    /// the first order will never be placed).
    /// - Returns: false (and writes nothing) unless the current order exists and is rejected.
    public func resign(actionID: String, orderHash: String, body: [UInt8], nowMillis: Int64) throws(Failure) -> Bool {
        do {
            return try write { db -> Bool in
                try db.execute(sql: """
                    UPDATE orders SET orderHash = ?, body = ?, state = ?, reason = NULL, updatedAtMillis = ?
                    WHERE actionID = ? AND state = ?
                    """, arguments: [orderHash, Data(body), State.signed.rawValue, nowMillis, actionID, State.rejected.rawValue])
                return db.changesCount == 1
            }
        } catch {
            throw Failure(description: "journal: cannot re-sign action \(actionID): \(error)")
        }
    }

    /// The order with this hash, if journaled.
    public func entry(orderHash: String) throws(Failure) -> Entry? {
        do {
            return try queue.read { db in
                try Row.fetchOne(db, sql: "SELECT * FROM orders WHERE orderHash = ?", arguments: [orderHash]).flatMap(Self.entry)
            }
        } catch {
            throw Failure(description: "journal: cannot read order \(orderHash): \(error)")
        }
    }

    /// Moves an order to `state` (with the venue's reason, if any).
    /// - Parameter audit: an audit line written in the same transaction (one commit per outcome).
    public func update(orderHash: String, to state: State, reason: String? = nil, nowMillis: Int64,
                       audit: (actionID: String?, decision: String, detail: String)? = nil) throws(Failure) {
        do {
            try write { db in
                try db.cachedStatement(sql: "UPDATE orders SET state = ?, reason = ?, updatedAtMillis = ? WHERE orderHash = ?")
                    .execute(arguments: [state.rawValue, reason, nowMillis, orderHash])
                if let audit { try Self.insertAudit(db, actionID: audit.actionID, decision: audit.decision, detail: audit.detail, nowMillis: nowMillis) }
            }
        } catch {
            throw Failure(description: "journal: cannot update order \(orderHash): \(error)")
        }
    }

    public func entry(actionID: String) throws(Failure) -> Entry? {
        // One indexed SELECT: `inDatabase` skips the read-only transaction `read` wraps around it.
        do { return try queue.inDatabase { db in try Self.entry(db, actionID: actionID) } } catch {
            throw Failure(description: "journal: cannot read action \(actionID): \(error)")
        }
    }

    /// Orders in any of `states`, oldest first (at startup: `signed` and `unknown` need the venue).
    /// - Parameter createdSinceMillis: only orders signed at or after this time.
    public func entries(in states: [State], createdSinceMillis: Int64 = .min) throws(Failure) -> [Entry] {
        do {
            return try queue.read { db in
                let marks = Array(repeating: "?", count: states.count).joined(separator: ",")
                var arguments = StatementArguments(states.map(\.rawValue))
                arguments += [createdSinceMillis]
                return try Row.fetchAll(db, sql: "SELECT * FROM orders WHERE state IN (\(marks)) AND createdAtMillis >= ? ORDER BY createdAtMillis, rowid",
                                        arguments: arguments).compactMap(Self.entry)
            }
        } catch {
            throw Failure(description: "journal: cannot list orders: \(error)")
        }
    }

    /// Appends one risk or execution decision to the audit log (never updated, never deleted).
    public func audit(actionID: String?, decision: String, detail: String, nowMillis: Int64) throws(Failure) {
        do {
            try write { db in
                try Self.insertAudit(db, actionID: actionID, decision: decision, detail: detail, nowMillis: nowMillis)
            }
        } catch {
            throw Failure(description: "journal: cannot append to the audit log: \(error)")
        }
    }

    /// One line of the audit log.
    public struct AuditLine: Sendable, Hashable {
        public let atMillis: Int64
        public let actionID: String?
        public let decision: String
        public let detail: String
    }

    /// The last `limit` lines of the audit log, oldest first (in the order they were written).
    public func auditTrail(last limit: Int = 10_000) throws(Failure) -> [AuditLine] {
        do {
            return try queue.read { db in
                try Row.fetchAll(db, sql: "SELECT * FROM (SELECT * FROM audit ORDER BY id DESC LIMIT ?) ORDER BY id", arguments: [limit]).map {
                    AuditLine(atMillis: $0["atMillis"], actionID: $0["actionID"], decision: $0["decision"], detail: $0["detail"])
                }
            }
        } catch {
            throw Failure(description: "journal: cannot read the audit log: \(error)")
        }
    }

    public func auditCount() throws(Failure) -> Int {
        do { return try queue.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM audit") ?? 0 } } catch {
            throw Failure(description: "journal: cannot read the audit log: \(error)")
        }
    }

    /// The persisted trading state (RUNNING when never set).
    public func tradingState() throws(Failure) -> TradingState {
        do {
            let raw = try queue.read { db in try String.fetchOne(db, sql: "SELECT value FROM settings WHERE key = 'tradingState'") }
            return raw.flatMap(TradingState.init(rawValue:)) ?? .running
        } catch {
            throw Failure(description: "journal: cannot read the trading state: \(error)")
        }
    }

    public func setTradingState(_ state: TradingState) throws(Failure) {
        do {
            try write { db in
                try db.execute(sql: "INSERT INTO settings (key, value) VALUES ('tradingState', ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                               arguments: [state.rawValue])
            }
        } catch {
            throw Failure(description: "journal: cannot save the trading state: \(error)")
        }
    }

    private static func entry(_ db: Database, actionID: String) throws -> Entry? {
        try Row.fetchOne(try db.cachedStatement(sql: "SELECT * FROM orders WHERE actionID = ?"), arguments: [actionID]).flatMap(entry)
    }

    /// Statements on the signing path are compiled once per connection (`cachedStatement`):
    /// parsing and GRDB's authorizer pass cost more than the insert itself.
    private static func insertAudit(_ db: Database, actionID: String?, decision: String, detail: String, nowMillis: Int64) throws {
        try db.cachedStatement(sql: "INSERT INTO audit (atMillis, actionID, decision, detail) VALUES (?, ?, ?, ?)")
            .execute(arguments: [nowMillis, actionID, decision, detail])
    }

    private static func entry(_ row: Row) -> Entry? {
        guard let state = State(rawValue: row["state"]) else { return nil }
        let body: Data = row["body"]
        return Entry(actionID: row["actionID"], orderHash: row["orderHash"], market: row["market"], body: Array(body),
                     state: state, reason: row["reason"], createdAtMillis: row["createdAtMillis"], expiresAtMillis: row["expiresAtMillis"])
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
        // Two connections share the file (the writer and the checkpointer, or a closing
        // process's last one): wait briefly for a lock instead of failing a write.
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
