import Foundation
import GRDB
import PolypipeCore

/// exec-proc's durable memory: every order is written *before* it is sent, with its order hash
/// (= the venue's order ID) and the exact body bytes, so a crash at any point is resolved by
/// asking the venue about that hash — never by signing again. An action id can be journaled
/// once only (exactly-once across restarts).
///
/// Two files. Writes go to an append-only log (`<path>.log`, ``JournalLogFile``): one framed,
/// checksummed `write(2)` per change, so a write costs microseconds and, once it returns, survives
/// `kill -9`. A background thread (``JournalIndexer``) applies the log to SQLite (`<path>`,
/// through GRDB) in order, exactly once; opening the journal applies whatever a crash left
/// unapplied before anything can read. Reads see every write made before them: one order from
/// the log's pending changes or SQLite, wider reads after applying the log (``JournalLog``).
///
/// Thread safety: all state is behind locks; the journal can be shared, and several instances
/// (processes) may use one path.
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

    private let reader: DatabaseQueue
    private let log: JournalLog
    private let indexer: JournalIndexer?
    private let checkpointer: JournalCheckpointer?

    /// How far a write is guaranteed to survive once the method that made it returns.
    public enum Durability: Sendable {
        /// Survives the process dying at any point (`kill -9`, a crash): the log frame is in the
        /// kernel's page cache when `write(2)` returns, and SQLite runs WAL with
        /// `synchronous=NORMAL`; no fsync per write. A power loss or kernel crash may lose the
        /// last writes. The default: exec-proc's startup reconciliation counts venue orders the
        /// journal does not know, so such a loss is seen, not silent.
        case processCrash
        /// Also survives power loss: an `fdatasync` of the log after each write and
        /// `synchronous=FULL` in SQLite (milliseconds per write on most disks; it caps the
        /// order rate accordingly).
        case powerLoss
    }

    /// Who applies the log to SQLite during the journal's life (opening it always does).
    public enum Indexing: Sendable, Equatable {
        /// A background thread, woken by each write, batching up to `batchMicros`. The default.
        case background(batchMicros: UInt32)
        /// Only reads that need all of SQLite (listings, the audit log, the trading state) and
        /// the next open: what tests use to leave changes in the log alone, as a crash before
        /// the indexer ran does.
        case onRead

        public static let standard = Indexing.background(batchMicros: 10_000)
    }

    /// What opening the journal found in its log.
    public struct Recovery: Sendable, Hashable {
        /// Changes applied to SQLite at open: written before the last process ended (a crash,
        /// `kill -9`), not indexed then.
        public let replayed: Int
        /// Bytes of an incomplete last frame dropped: a write cut short, never acknowledged.
        public let tornBytes: Int64

        /// A clean open: nothing left unapplied, nothing torn.
        public static let none = Recovery(replayed: 0, tornBytes: 0)
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

    /// Opens (creating and migrating) the journal at `path` and its log at `path + ".log"`,
    /// and applies to SQLite what the log holds that SQLite lacks.
    /// - Parameter rotateLogAfterBytes: the log is emptied (under a new generation) once it is
    ///   this long and all applied.
    /// - Throws: ``Failure``, also for a damaged log (not a torn tail: damage followed by data).
    public init(path: String, durability: Durability = .processCrash, checkpointing: Checkpointing = .standard,
                indexing: Indexing = .standard, rotateLogAfterBytes: Int64 = 8 << 20) throws(Failure) {
        do {
            let configuration = durability.databaseConfiguration(inlineCheckpoints: checkpointing == .inline)
            let writer = try DatabaseQueue(path: path, configuration: configuration)
            try Self.migrator.migrate(writer)
            let reader = try DatabaseQueue(path: path, configuration: configuration)
            self.reader = reader
            var checkpointer: JournalCheckpointer?
            if case .background(let quiet, let maxCommits) = checkpointing {
                checkpointer = try JournalCheckpointer(path: path, configuration: configuration, quietMillis: quiet, maxCommits: maxCommits)
            }
            self.checkpointer = checkpointer
            let file = try JournalLogFile(path: path + ".log", syncEachAppend: durability == .powerLoss)
            let log = try JournalLog(file: file, writer: writer, reader: reader, rotateAfterBytes: rotateLogAfterBytes,
                                     onCommit: { [checkpointer] in checkpointer?.noteCommit() })
            self.log = log
            if case .background(let batchMicros) = indexing {
                indexer = JournalIndexer(log: log, batchMicros: batchMicros)
            } else {
                indexer = nil
            }
        } catch let failure as Failure {
            throw failure
        } catch {
            throw Failure(description: "journal \(path): \(error)")
        }
    }

    deinit {
        indexer?.stop()
        checkpointer?.stop()
    }

    /// What opening found in the log (changes replayed, torn bytes dropped).
    public var recovery: Recovery { Recovery(replayed: log.recovery.replayed, tornBytes: log.recovery.tornBytes) }

    /// Changes written to the log that SQLite does not have yet (0 once the indexer caught up).
    public var unindexedCount: Int { log.pendingCount }

    /// Applies every logged change to SQLite now (the indexer does it in the background).
    /// - Throws: ``Failure``.
    public func index() throws(Failure) {
        do { try log.synchronize() } catch {
            throw Failure(description: "journal: cannot apply the log to SQLite: \(error)")
        }
    }

    /// Every write goes through here: one change appended to the log (or none, as `decide`
    /// says after looking at the journal), then the indexer is woken.
    @discardableResult
    func write<T: Sendable>(_ decide: (JournalLog.Lookup) throws -> (JournalChange?, T)) throws -> T {
        let (written, result) = try log.write(decide)
        if written { indexer?.noteAppend() }
        return result
    }

    /// Wide reads first apply the whole log, then read SQLite.
    func readAll<T>(_ read: (Database) throws -> T) throws -> T {
        try log.synchronize()
        return try reader.inDatabase(read)
    }

    /// What ``record(_:)`` did.
    public enum Recorded: Sendable, Hashable {
        case new
        /// This action id was journaled before: nothing new was written; here is what was.
        case existing(Entry)
    }

    /// Writes a signed order before it is sent; refuses a second order for the same action id.
    /// When it returns `.new`, the order is in the log: durable as ``Durability`` says, and
    /// readable by every later read (and by the next process) whether or not it is indexed yet.
    /// - Throws: ``Failure``, also when the order hash already belongs to another action.
    /// - Parameter expiresAtMillis: the end of the action's validity: a resend after a crash or
    ///   an unknown outcome never happens past it.
    /// - Parameter audit: an audit line (decision, detail) written in the same log frame when the
    ///   order is new: one `write(2)` on the signing path.
    public func record(actionID: String, orderHash: String, market: String, body: [UInt8], nowMillis: Int64,
                       expiresAtMillis: Int64?, audit: (decision: String, detail: String)? = nil) throws(Failure) -> Recorded {
        do {
            return try write { journal -> (JournalChange?, Recorded) in
                let (existing, other) = try journal.entries(actionID: actionID, orderHash: orderHash)
                if let existing { return (nil, .existing(existing)) }
                if let other {
                    throw Failure(description: "order hash \(orderHash) is already journaled for action \(other.actionID)")
                }
                let note = audit.map { JournalChange.Note(actionID: actionID, decision: $0.decision, detail: $0.detail) }
                return (.record(actionID: actionID, orderHash: orderHash, market: market, body: body, nowMillis: nowMillis,
                                expiresAtMillis: expiresAtMillis, note: note), .new)
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
            return try write { journal -> (JournalChange?, Bool) in
                guard let current = try journal.entry(actionID: actionID), current.state == .rejected else { return (nil, false) }
                if let other = try journal.entry(orderHash: orderHash), other.actionID != actionID {
                    throw Failure(description: "order hash \(orderHash) is already journaled for action \(other.actionID)")
                }
                return (.resign(actionID: actionID, orderHash: orderHash, body: body, nowMillis: nowMillis), true)
            }
        } catch {
            throw Failure(description: "journal: cannot re-sign action \(actionID): \(error)")
        }
    }

    /// The order with this hash, if journaled.
    public func entry(orderHash: String) throws(Failure) -> Entry? {
        do { return try log.entry(orderHash: orderHash) } catch {
            throw Failure(description: "journal: cannot read order \(orderHash): \(error)")
        }
    }

    /// Moves an order to `state` (with the venue's reason, if any). An unknown hash changes no
    /// order (the audit line is still written).
    /// - Parameter audit: an audit line written in the same log frame (one write per outcome).
    public func update(orderHash: String, to state: State, reason: String? = nil, nowMillis: Int64,
                       audit: (actionID: String?, decision: String, detail: String)? = nil) throws(Failure) {
        do {
            let note = audit.map { JournalChange.Note(actionID: $0.actionID, decision: $0.decision, detail: $0.detail) }
            try write { _ -> (JournalChange?, Bool) in
                (.update(orderHash: orderHash, state: state, reason: reason, nowMillis: nowMillis, note: note), true)
            }
        } catch {
            throw Failure(description: "journal: cannot update order \(orderHash): \(error)")
        }
    }

    /// The order of this action, if journaled (exec-proc's duplicate check: no SQLite write is
    /// waited for; at most one indexed SELECT).
    public func entry(actionID: String) throws(Failure) -> Entry? {
        do { return try log.entry(actionID: actionID) } catch {
            throw Failure(description: "journal: cannot read action \(actionID): \(error)")
        }
    }

    /// Orders in any of `states`, oldest first (at startup: `signed` and `unknown` need the venue).
    /// - Parameter createdSinceMillis: only orders signed at or after this time.
    public func entries(in states: [State], createdSinceMillis: Int64 = .min) throws(Failure) -> [Entry] {
        do {
            return try readAll { db in
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

    /// The `limit` orders signed last, newest first (the operator's `polypipe orders`).
    public func latestEntries(limit: Int) throws(Failure) -> [Entry] {
        do {
            return try readAll { db in
                try Row.fetchAll(db, sql: "SELECT * FROM orders ORDER BY createdAtMillis DESC, rowid DESC LIMIT ?",
                                 arguments: [Int64(clamping: limit)]).compactMap(Self.entry)
            }
        } catch {
            throw Failure(description: "journal: cannot list orders: \(error)")
        }
    }

    /// The persisted trading state (RUNNING when never set).
    public func tradingState() throws(Failure) -> TradingState {
        do {
            let raw = try readAll { db in try String.fetchOne(db, sql: "SELECT value FROM settings WHERE key = 'tradingState'") }
            return raw.flatMap(TradingState.init(rawValue:)) ?? .running
        } catch {
            throw Failure(description: "journal: cannot read the trading state: \(error)")
        }
    }

    public func setTradingState(_ state: TradingState) throws(Failure) {
        do {
            try write { _ -> (JournalChange?, Bool) in (.tradingState(state.rawValue), true) }
        } catch {
            throw Failure(description: "journal: cannot save the trading state: \(error)")
        }
    }

    /// A persisted setting of the executor (nil when never set). `tradingState` has its own
    /// methods above.
    public func setting(_ key: String) throws(Failure) -> String? {
        do {
            return try readAll { db in try String.fetchOne(db, sql: "SELECT value FROM settings WHERE key = ?", arguments: [key]) }
        } catch {
            throw Failure(description: "journal: cannot read the setting \(key): \(error)")
        }
    }

    public func setSetting(_ key: String, value: String) throws(Failure) {
        do {
            try write { _ -> (JournalChange?, Bool) in (.setting(key: key, value: value), true) }
        } catch {
            throw Failure(description: "journal: cannot save the setting \(key): \(error)")
        }
    }
}
