import Foundation
import GRDB
import JournalStore
import PolypipeCore
import VenueClient

/// fill-proc's durable memory (SQLite through GRDB, like ``Journal``): every fill with its
/// settlement status, every tracked order with its lifecycle stage, market resolutions, the
/// ingest counters and the venue cursors. A restart rebuilds the same ``FillLedger``
/// (``loadLedger(configuration:)``), and re-ingesting trades already stored changes nothing:
/// that is what makes fill counting exactly-once across `kill -9`.
///
/// Write each ``LedgerUpdate`` with ``save(_:counters:cursor:)`` before acting on it (publishing
/// it); an update lost to a crash is recovered by re-reading the venue from the last saved
/// cursor. Positions are not stored: they are replayed from the fills on load.
///
/// Invariants live in the schema: a fill belongs to a tracked order (foreign key), a trade leg
/// is stored once (primary key trade id + order id), sizes are positive and prices in (0, 1).
///
/// Thread safety: a `DatabaseQueue` serializes all access; the store can be shared.
public final class FillStore: Sendable {
    /// Why the store could not do what was asked. SQL arguments never appear in it.
    public struct Failure: Error, CustomStringConvertible {
        public let description: String
    }

    /// A named position in a venue feed (a REST `next_cursor`, the `after` time of the last
    /// trade poll), saved in the same transaction as the fills it led to.
    public struct Cursor: Sendable, Hashable {
        public let name: String
        public let value: String

        public init(name: String, value: String) {
            self.name = name
            self.value = value
        }
    }

    private let queue: DatabaseQueue

    /// Opens (creating and migrating) the store at `path`.
    /// - Throws: ``Failure``.
    public init(path: String, durability: Journal.Durability = .processCrash) throws(Failure) {
        do {
            queue = try DatabaseQueue(path: path, configuration: durability.databaseConfiguration)
            try Self.migrator.migrate(queue)
        } catch {
            throw Failure(description: "fill store \(path): \(error)")
        }
    }

    /// Migrations are never changed once shipped; new ones are appended.
    private static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1") { db in
            try db.create(table: "orders") { table in
                table.column("orderID", .text).notNull().primaryKey()
                table.column("actionID", .text).notNull()
                table.column("market", .text).notNull()
                table.column("token", .text).notNull()
                table.column("side", .text).notNull().check { ["BUY", "SELL"].contains($0) }
                table.column("sizeMicros", .integer).notNull().check { $0 >= 0 }
                table.column("limitPriceMicros", .integer).notNull().check { $0 >= 0 }
                table.column("expectedPriceMicros", .integer).check { $0 >= 0 }
                table.column("createdAtMillis", .integer).notNull()
                table.column("submittedAtMillis", .integer)
                table.column("stage", .text).notNull().check { OrderState.allCases.map(\.rawValue).contains($0) }
                table.column("reason", .text)
                table.column("updatedAtMillis", .integer).notNull()
            }
            try db.create(table: "fills") { table in
                table.column("tradeID", .text).notNull()
                table.column("orderID", .text).notNull().references("orders", column: "orderID")
                table.primaryKey(["tradeID", "orderID"])
                table.column("sequence", .integer).notNull().unique()
                table.column("market", .text).notNull()
                table.column("token", .text).notNull()
                table.column("side", .text).notNull().check { ["BUY", "SELL"].contains($0) }
                table.column("role", .text).notNull().check { FillRecord.Role.allCases.map(\.rawValue).contains($0) }
                table.column("sizeMicros", .integer).notNull().check { $0 > 0 }
                table.column("priceMicros", .integer).notNull().check { $0 > 0 && $0 < 1_000_000 }
                table.column("feeMicros", .integer).notNull().check { $0 >= 0 }
                table.column("status", .text).notNull()
                table.column("matchedAtMillis", .integer).notNull()
                table.column("firstSeenAtMillis", .integer).notNull()
                table.column("statusChangedAtMillis", .integer).notNull()
            }
            try db.create(table: "resolutions") { table in
                table.column("market", .text).notNull().primaryKey()
                table.column("sequence", .integer).notNull().unique()
                table.column("winner", .text).notNull()
                table.column("atMillis", .integer).notNull()
            }
            try db.create(table: "counters") { table in
                table.column("name", .text).notNull().primaryKey()
                table.column("value", .integer).notNull()
            }
            try db.create(table: "cursors") { table in
                table.column("name", .text).notNull().primaryKey()
                table.column("value", .text).notNull()
            }
        }
        return migrator
    }

    // MARK: Writing

    /// Writes what one ledger call changed, the ledger's counters and (optionally) a cursor,
    /// in one transaction: after a crash either all of it is there or none.
    /// - Throws: ``Failure``; nothing is written then.
    public func save(_ update: LedgerUpdate, counters: IngestCounters, cursor: Cursor? = nil) throws(Failure) {
        do {
            try queue.write { db in
                for order in update.orders { try Self.upsert(order, db) }
                for fill in update.changedFills { try Self.upsert(fill, db) }
                for resolution in update.resolutions {
                    try db.cachedStatement(sql: "INSERT INTO resolutions (market, sequence, winner, atMillis) VALUES (?, ?, ?, ?) ON CONFLICT(market) DO NOTHING")
                        .execute(arguments: [resolution.market, resolution.sequence, resolution.winner.description, resolution.atMillis])
                }
                for (name, value) in Self.counterValues(counters) {
                    try db.cachedStatement(sql: "INSERT INTO counters (name, value) VALUES (?, ?) ON CONFLICT(name) DO UPDATE SET value = excluded.value")
                        .execute(arguments: [name, value])
                }
                if let cursor { try Self.upsert(cursor, db) }
            }
        } catch {
            throw Failure(description: "fill store: cannot save an update: \(error)")
        }
    }

    /// Saves a cursor alone (a poll that found nothing new).
    /// - Throws: ``Failure``.
    public func save(_ cursor: Cursor) throws(Failure) {
        do { try queue.write { db in try Self.upsert(cursor, db) } } catch {
            throw Failure(description: "fill store: cannot save cursor \(cursor.name): \(error)")
        }
    }

    private static func upsert(_ order: OrderRecord, _ db: Database) throws {
        try db.cachedStatement(sql: """
            INSERT INTO orders (orderID, actionID, market, token, side, sizeMicros, limitPriceMicros, expectedPriceMicros,
                                createdAtMillis, submittedAtMillis, stage, reason, updatedAtMillis)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT(orderID) DO UPDATE SET submittedAtMillis = excluded.submittedAtMillis, stage = excluded.stage,
                                               reason = excluded.reason, updatedAtMillis = excluded.updatedAtMillis
            """).execute(arguments: [order.orderID.description, order.actionID, order.market, order.token.description, order.side.rawValue,
                                     try integer(order.size.micros), try integer(order.limitPrice.micros),
                                     try order.expectedPrice.map { try integer($0.micros) }, order.createdAtMillis,
                                     order.submittedAtMillis, order.stage.rawValue, order.reason, order.updatedAtMillis])
    }

    private static func upsert(_ fill: FillRecord, _ db: Database) throws {
        try db.cachedStatement(sql: """
            INSERT INTO fills (tradeID, orderID, sequence, market, token, side, role, sizeMicros, priceMicros, feeMicros, status,
                               matchedAtMillis, firstSeenAtMillis, statusChangedAtMillis)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT(tradeID, orderID) DO UPDATE SET status = excluded.status, statusChangedAtMillis = excluded.statusChangedAtMillis
            """).execute(arguments: [fill.key.tradeID, fill.key.orderID.description, fill.sequence, fill.market, fill.token.description,
                                     fill.side.rawValue, fill.role.rawValue, try integer(fill.size.micros), try integer(fill.price.micros),
                                     try integer(fill.fee.micros), fill.status.text, fill.matchedAtMillis, fill.firstSeenAtMillis,
                                     fill.statusChangedAtMillis])
    }

    private static func upsert(_ cursor: Cursor, _ db: Database) throws {
        try db.cachedStatement(sql: "INSERT INTO cursors (name, value) VALUES (?, ?) ON CONFLICT(name) DO UPDATE SET value = excluded.value")
            .execute(arguments: [cursor.name, cursor.value])
    }

    /// A micro-unit amount as an SQLite integer (signed 64-bit).
    private static func integer(_ micros: UInt64) throws -> Int64 {
        guard let value = Int64(exactly: micros) else { throw Failure(description: "amount \(micros) does not fit a 64-bit signed integer") }
        return value
    }

    private static func counterValues(_ counters: IngestCounters) -> [(String, Int64)] {
        [("observations", counters.observations), ("newFills", counters.newFills), ("duplicates", counters.duplicates),
         ("statusChanges", counters.statusChanges), ("voids", counters.voids), ("droppedMalformed", counters.droppedMalformed),
         ("droppedForeign", counters.droppedForeign), ("conflictingStatuses", counters.conflictingStatuses)]
    }

    // MARK: Reading

    /// The ledger as last saved, positions replayed from its fills.
    /// - Throws: ``Failure``.
    public func loadLedger(configuration: FillLedger.Configuration = FillLedger.Configuration()) throws(Failure) -> FillLedger {
        FillLedger(configuration: configuration, restoring: try loadSnapshot())
    }

    /// Everything stored, as a ledger snapshot.
    /// - Throws: ``Failure``, also when a stored row cannot be read back (a token that is not
    ///   a number, an unknown side): a store that lies is not silently skipped.
    public func loadSnapshot() throws(Failure) -> FillLedger.Snapshot {
        do {
            return try queue.read { db in
                let orders = try Row.fetchAll(db, sql: "SELECT * FROM orders").map(Self.order)
                let fills = try Row.fetchAll(db, sql: "SELECT * FROM fills ORDER BY sequence").map(Self.fill)
                let resolutions = try Row.fetchAll(db, sql: "SELECT * FROM resolutions ORDER BY sequence").map { row in
                    Resolution(sequence: row["sequence"], market: row["market"], winner: try Self.token(row["winner"]), atMillis: row["atMillis"])
                }
                var counters = IngestCounters()
                for row in try Row.fetchAll(db, sql: "SELECT name, value FROM counters") {
                    let value: Int64 = row["value"]
                    switch row["name"] as String {
                    case "observations": counters.observations = value
                    case "newFills": counters.newFills = value
                    case "duplicates": counters.duplicates = value
                    case "statusChanges": counters.statusChanges = value
                    case "voids": counters.voids = value
                    case "droppedMalformed": counters.droppedMalformed = value
                    case "droppedForeign": counters.droppedForeign = value
                    case "conflictingStatuses": counters.conflictingStatuses = value
                    default: break
                    }
                }
                return FillLedger.Snapshot(orders: orders, fills: fills, resolutions: resolutions, counters: counters)
            }
        } catch {
            throw Failure(description: "fill store: cannot load: \(error)")
        }
    }

    /// The saved value of one cursor, if any.
    /// - Throws: ``Failure``.
    public func cursor(named name: String) throws(Failure) -> String? {
        do { return try queue.read { db in try String.fetchOne(db, sql: "SELECT value FROM cursors WHERE name = ?", arguments: [name]) } } catch {
            throw Failure(description: "fill store: cannot read cursor \(name): \(error)")
        }
    }

    private static func order(_ row: Row) throws -> OrderRecord {
        let expected: Int64? = row["expectedPriceMicros"]
        guard let stage = OrderState(rawValue: row["stage"]) else { throw Failure(description: "order \(row["orderID"] as String): unknown stage") }
        return OrderRecord(orderID: OrderID(row["orderID"] as String), actionID: row["actionID"], market: row["market"], token: try token(row["token"]),
                           side: try side(row["side"]), size: Shares(micros: try micros(row["sizeMicros"])),
                           limitPrice: Price(micros: try micros(row["limitPriceMicros"])),
                           expectedPrice: try expected.map { Price(micros: try micros($0)) }, createdAtMillis: row["createdAtMillis"],
                           submittedAtMillis: row["submittedAtMillis"], stage: stage, reason: row["reason"], updatedAtMillis: row["updatedAtMillis"])
    }

    private static func fill(_ row: Row) throws -> FillRecord {
        guard let role = FillRecord.Role(rawValue: row["role"]) else { throw Failure(description: "fill \(row["tradeID"] as String): unknown role") }
        return FillRecord(key: FillKey(tradeID: row["tradeID"], orderID: OrderID(row["orderID"] as String)), sequence: row["sequence"], market: row["market"],
                          token: try token(row["token"]), side: try side(row["side"]), role: role,
                          size: Shares(micros: try micros(row["sizeMicros"])), price: Price(micros: try micros(row["priceMicros"])),
                          fee: Collateral(micros: try micros(row["feeMicros"])), status: TradeStatus(text: row["status"]),
                          matchedAtMillis: row["matchedAtMillis"], firstSeenAtMillis: row["firstSeenAtMillis"],
                          statusChangedAtMillis: row["statusChangedAtMillis"])
    }

    private static func token(_ text: String) throws -> TokenID {
        do { return try TokenID(decimal: text) } catch { throw Failure(description: "stored token \"\(text)\" is not a token id") }
    }

    private static func side(_ text: String) throws -> Side {
        guard let side = Side(rawValue: text) else { throw Failure(description: "stored side \"\(text)\" is not BUY or SELL") }
        return side
    }

    private static func micros(_ value: Int64) throws -> UInt64 {
        guard let micros = UInt64(exactly: value) else { throw Failure(description: "stored amount \(value) is negative") }
        return micros
    }
}
