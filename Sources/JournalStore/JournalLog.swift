import Foundation
import GRDB
import Synchronization

/// The journal's write path: every change is appended to the log file (one `write(2)`, no
/// SQLite on the way), and applied to SQLite later, in log order, exactly once.
///
/// ```
/// Journal.record ─▶ JournalLog.write ─▶ journal.sqlite.log  (durable across kill -9 on return)
///                                  └─▶ pending (in memory) ─▶ indexer thread ─▶ SQLite
/// ```
/// **Exactly once.** SQLite's `journalLog` row holds the log's generation and the offset up to
/// which its frames are applied, updated in the same transaction as the rows they produce; a
/// frame is applied only past that offset. So a crash anywhere between the `write(2)` and the
/// commit replays the frame once at the next open, and two instances (a test or a tool opening
/// the journal beside exec-proc) never apply one twice.
///
/// **Reads see every write.** One order: its pending entry, else its SQLite row (see
/// ``JournalPending``'s invariant). Anything wider (listings, the audit log, settings): first
/// apply everything pending (``synchronize()``), then read SQLite. Before either, frames other
/// instances appended are read in (``refresh(_:)``).
///
/// **The log stays small.** Once all of it is applied and it passed `rotateAfterBytes`, it is
/// emptied under a new generation — the SQLite row first (remembering the retired generation),
/// then the file, so a crash between the two is recognized at the next open.
///
/// Thread safety: `state` (a mutex) serializes appends, reads of pending entries and ingestion;
/// `applying` serializes appliers; the file's `flock` serializes processes. Lock order:
/// `applying`, then `state`, then the `flock`.
final class JournalLog: Sendable {
    private struct State {
        var generation: UInt64
        /// Offset just past the last frame this instance wrote or read.
        var end: Int64
        var pending = JournalPending()
        /// Every key in SQLite or in `pending` (see ``JournalKeyFilter``).
        var keys: JournalKeyFilter

        /// Adds a change written or read in at `end` to `pending`, and its keys to `keys`.
        mutating func add(_ change: JournalChange, end: Int64, current: Journal.Entry?) {
            switch change {
            case .record(let actionID, let orderHash, _, _, _, _, _):
                keys.insert(actionID, kind: .action)
                keys.insert(orderHash, kind: .orderHash)
            case .resign(_, let orderHash, _, _):
                keys.insert(orderHash, kind: .orderHash)
            case .update, .audit, .tradingState, .setting:
                break
            }
            pending.add(change, end: end, current: current)
        }
    }

    /// What opening the journal found in the log.
    struct Recovery: Sendable {
        /// Changes applied to SQLite at open: written before a crash, not indexed then.
        var replayed = 0
        /// Bytes of an incomplete last frame dropped (a write cut short).
        var tornBytes: Int64 = 0
    }

    let file: JournalLogFile
    let recovery: Recovery
    private let writer: DatabaseQueue
    private let reader: DatabaseQueue
    private let rotateAfterBytes: Int64
    private let onCommit: @Sendable () -> Void
    private let state: Mutex<State>
    private let applying = Mutex<Void>(())

    /// Opens the log beside SQLite and applies to SQLite whatever it holds that SQLite lacks,
    /// before anything reads the journal.
    init(file: JournalLogFile, writer: DatabaseQueue, reader: DatabaseQueue, rotateAfterBytes: Int64,
         onCommit: @escaping @Sendable () -> Void) throws {
        self.file = file
        self.writer = writer
        self.reader = reader
        self.rotateAfterBytes = rotateAfterBytes
        self.onCommit = onCommit
        try file.lock()
        defer { file.unlock() }
        var generation = try file.generation()
        var size = try file.size()
        let row = try writer.read { db in try Self.row(db) }
        var start = JournalLogFile.headerSize
        let retiredBeforeCrash = generation != nil && generation == row?.retired
        let lostFrames = generation != nil && generation == row?.generation && (row?.applied ?? 0) > size
        if generation == nil || retiredBeforeCrash || lostFrames {
            // New; or a log retired (all applied) just before a crash, whose successor is
            // SQLite's generation; or a log that lost frames SQLite has (a power loss without
            // fsync). Either way nothing in it is unapplied: start an empty generation.
            let fresh = retiredBeforeCrash ? row!.generation : UInt64.random(in: 1...UInt64.max)
            let saved = LogRow(generation: fresh, applied: JournalLogFile.headerSize, retired: generation ?? row?.retired)
            try writer.write { db in try Self.saveRow(db, saved) }
            try file.reset(generation: fresh)
            (generation, size) = (fresh, JournalLogFile.headerSize)
        } else if let row, generation == row.generation {
            start = row.applied
        } else {
            // A generation SQLite does not know (a fresh database, or a power loss that kept the
            // emptied log but not SQLite's note of it): every frame in it is unapplied.
            let saved = LogRow(generation: generation!, applied: JournalLogFile.headerSize, retired: row?.generation)
            try writer.write { db in try Self.saveRow(db, saved) }
        }
        let scan = try JournalLogFile.scan(try file.read(from: start, to: size), startingAt: start, path: file.path)
        if scan.tornBytes > 0 { try file.truncate(to: scan.validEnd) }
        var initial = State(generation: generation!, end: scan.validEnd, keys: try Self.loadKeys(reader))
        for (end, change) in scan.changes {
            initial.add(change, end: end, current: try Self.current(for: change, pending: initial.pending, reader: reader))
        }
        state = Mutex(initial)
        recovery = Recovery(replayed: scan.changes.count, tornBytes: scan.tornBytes)
        try applyPending()
    }

    // MARK: Writing

    /// The journal as it stands, for a writer deciding what to write (under the lock).
    struct Lookup {
        fileprivate let log: JournalLog
        fileprivate let pending: JournalPending
        fileprivate let keys: JournalKeyFilter

        func entry(actionID: String) throws -> Journal.Entry? {
            try log.entry(actionID: actionID, pending: pending, mightExist: keys.mightContain(actionID, kind: .action))
        }

        func entry(orderHash: String) throws -> Journal.Entry? { try JournalLog.entry(orderHash: orderHash, pending: pending, reader: log.reader) }

        /// The order of `actionID` and the order with `orderHash`, with at most one SELECT (a
        /// record's two checks on the signing path).
        func entries(actionID: String, orderHash: String) throws -> (byAction: Journal.Entry?, byHash: Journal.Entry?) {
            var byAction = pending.entry(actionID: actionID), byHash = pending.entry(orderHash: orderHash)
            guard byAction == nil || byHash == nil else { return (byAction, byHash) }
            // A new action with a new hash (every fresh order): certain from memory.
            guard keys.mightContain(actionID, kind: .action) || keys.mightContain(orderHash, kind: .orderHash) else { return (nil, nil) }
            let rows = try log.reader.inDatabase { db in
                try Row.fetchAll(try db.cachedStatement(sql: "SELECT * FROM orders WHERE actionID = ? OR orderHash = ?"),
                                 arguments: [actionID, orderHash]).compactMap(Journal.entry)
            }
            for row in rows {
                if byAction == nil && row.actionID == actionID { byAction = row }
                // A row whose action has a pending entry is stale (re-signed under another hash).
                if byHash == nil && row.orderHash == orderHash && pending.entry(actionID: row.actionID) == nil { byHash = row }
            }
            return (byAction, byHash)
        }
    }

    /// Appends the change `decide` picks after looking at the journal as it stands (under the
    /// lock, so the look and the write are one step), and returns `decide`'s result.
    /// - Returns: also whether a change was written (to wake the indexer).
    func write<T: Sendable>(_ decide: (Lookup) throws -> (JournalChange?, T)) throws -> (written: Bool, result: T) {
        try state.withLock { state throws -> (written: Bool, result: T) in
            try file.lock()
            defer { file.unlock() }
            try ingest(&state)
            let (change, result) = try decide(Lookup(log: self, pending: state.pending, keys: state.keys))
            guard let change else { return (false, result) }
            let current = try Self.current(for: change, pending: state.pending, reader: reader)
            let frame = JournalLogFile.frame(change)
            try file.append(frame, replacingFrom: state.end)
            state.end += Int64(frame.count)
            state.add(change, end: state.end, current: current)
            return (true, result)
        }
    }

    // MARK: Reading

    /// The order of `actionID` as of every write so far.
    func entry(actionID: String) throws -> Journal.Entry? {
        let (pending, mightExist) = try state.withLock { state throws -> (JournalPending, Bool) in
            try refresh(&state)
            return (state.pending, state.keys.mightContain(actionID, kind: .action))
        }
        return try entry(actionID: actionID, pending: pending, mightExist: mightExist)
    }

    /// The order with `orderHash` as of every write so far.
    func entry(orderHash: String) throws -> Journal.Entry? {
        let pending = try state.withLock { state throws -> JournalPending in
            try refresh(&state)
            return state.pending
        }
        return try entry(orderHash: orderHash, pending: pending)
    }

    /// Changes written but not (known to be) in SQLite yet.
    var pendingCount: Int { state.withLock { $0.pending.count } }

    /// Applies every change written so far (by any instance) to SQLite: after it, SQLite alone
    /// answers any read exactly.
    func synchronize() throws {
        try state.withLock { state throws in try refresh(&state) }
        try applyPending()
    }

    /// - Parameter mightExist: the key filter's answer, taken under the lock.
    private func entry(actionID: String, pending: JournalPending, mightExist: Bool) throws -> Journal.Entry? {
        if let entry = pending.entry(actionID: actionID) { return entry }
        guard mightExist else { return nil }
        return try reader.inDatabase { db in try Self.row(db, sql: "SELECT * FROM orders WHERE actionID = ?", actionID) }
    }

    private func entry(orderHash: String, pending: JournalPending) throws -> Journal.Entry? {
        try Self.entry(orderHash: orderHash, pending: pending, reader: reader)
    }

    /// One order by hash: pending, else SQLite's row unless a pending change moved that action
    /// to another hash (a re-sign SQLite has not seen yet).
    private static func entry(orderHash: String, pending: JournalPending, reader: DatabaseQueue) throws -> Journal.Entry? {
        if let entry = pending.entry(orderHash: orderHash) { return entry }
        let row = try reader.inDatabase { db in try Self.row(db, sql: "SELECT * FROM orders WHERE orderHash = ?", orderHash) }
        return row.flatMap { pending.entry(actionID: $0.actionID) == nil ? $0 : nil }
    }

    /// The order `change` modifies, as it stands before it.
    private static func current(for change: JournalChange, pending: JournalPending, reader: DatabaseQueue) throws -> Journal.Entry? {
        switch change {
        case .resign(let actionID, _, _, _):
            if let entry = pending.entry(actionID: actionID) { return entry }
            return try reader.inDatabase { db in try Self.row(db, sql: "SELECT * FROM orders WHERE actionID = ?", actionID) }
        case .update(let orderHash, _, _, _, _): return try entry(orderHash: orderHash, pending: pending, reader: reader)
        case .record, .audit, .tradingState, .setting: return nil
        }
    }

    // MARK: Other instances' frames

    /// Reads in what other instances appended (cheap when nothing changed: an `fstat` and a
    /// 16-byte `pread`).
    private func refresh(_ state: inout State) throws {
        guard try file.size() != state.end || file.generation() != state.generation else { return }
        try file.lock()
        defer { file.unlock() }
        try ingest(&state)
    }

    /// Under the `flock`: nobody is half-way through a write, so a torn tail is a dead writer's.
    private func ingest(_ state: inout State) throws {
        let generation = try file.generation()
        if generation != state.generation {
            // Another instance emptied the log, after every frame of ours was applied.
            guard let generation else { throw Journal.Failure(description: "journal log \(file.path): header missing while in use") }
            // Frames of the old log that this instance never read are in SQLite only.
            state = State(generation: generation, end: JournalLogFile.headerSize, keys: try Self.loadKeys(reader))
        }
        let size = try file.size()
        guard size != state.end else { return }
        guard size > state.end else {
            throw Journal.Failure(description: "journal log \(file.path): shrank to \(size) bytes under \(state.end) while in use")
        }
        let scan = try JournalLogFile.scan(try file.read(from: state.end, to: size), startingAt: state.end, path: file.path)
        if scan.tornBytes > 0 { try file.truncate(to: scan.validEnd) }
        for (end, change) in scan.changes {
            state.add(change, end: end, current: try Self.current(for: change, pending: state.pending, reader: reader))
        }
        state.end = scan.validEnd
    }

    // MARK: Applying

    /// Applies the pending changes to SQLite in one transaction (skipping any another instance
    /// applied), then forgets them. Safe from any thread; the indexer calls it.
    func applyPending() throws {
        try applying.withLock { _ throws in
            let (generation, items) = state.withLock { ($0.generation, $0.pending.items) }
            guard let last = items.last else { return }
            let appliedThrough: Int64? = try writer.write { db -> Int64? in
                guard let row = try Self.row(db), row.generation == generation else { return nil }
                for item in items where item.end > row.applied { try item.change.apply(db) }
                if last.end > row.applied { try Self.saveRow(db, LogRow(generation: generation, applied: last.end, retired: row.retired)) }
                return last.end
            }
            onCommit()
            state.withLock { state in
                guard state.generation == generation else { return }
                // nil: the log was emptied by another instance, after all of this was applied.
                state.pending.drop(through: appliedThrough ?? .max)
            }
        }
    }

    /// Empties the log under a new generation once it is past `rotateAfterBytes` and SQLite has
    /// all of it. Returns whether it did.
    @discardableResult
    func rotateIfDue() throws -> Bool {
        try applying.withLock { _ throws -> Bool in
            try state.withLock { state throws -> Bool in
                guard state.end >= rotateAfterBytes else { return false }
                try file.lock()
                defer { file.unlock() }
                try ingest(&state)
                guard state.pending.isEmpty else { return false }
                let fresh = UInt64.random(in: 1...UInt64.max)
                let (generation, end) = (state.generation, state.end)
                let saved = try writer.write { db -> Bool in
                    guard let row = try Self.row(db), row.generation == generation, row.applied == end else { return false }
                    try Self.saveRow(db, LogRow(generation: fresh, applied: JournalLogFile.headerSize, retired: generation))
                    return true
                }
                guard saved else { return false }
                try file.reset(generation: fresh)
                // This instance applied everything under the lock: SQLite holds no key it lacks.
                state = State(generation: fresh, end: JournalLogFile.headerSize, keys: state.keys)
                return true
            }
        }
    }

    // MARK: SQLite

    private struct LogRow {
        var generation: UInt64
        var applied: Int64
        var retired: UInt64?
    }

    private static func row(_ db: Database) throws -> LogRow? {
        guard let row = try Row.fetchOne(db, sql: "SELECT generation, appliedOffset, retiredGeneration FROM journalLog WHERE id = 1") else { return nil }
        let retired: Int64? = row["retiredGeneration"]
        return LogRow(generation: UInt64(bitPattern: row["generation"]), applied: row["appliedOffset"],
                      retired: retired.map { UInt64(bitPattern: $0) })
    }

    private static func saveRow(_ db: Database, _ row: LogRow) throws {
        try db.cachedStatement(sql: """
            INSERT INTO journalLog (id, generation, appliedOffset, retiredGeneration) VALUES (1, ?, ?, ?)
            ON CONFLICT(id) DO UPDATE SET generation = excluded.generation, appliedOffset = excluded.appliedOffset,
                retiredGeneration = excluded.retiredGeneration
            """).execute(arguments: [Int64(bitPattern: row.generation), row.applied, row.retired.map { Int64(bitPattern: $0) }])
    }

    /// Every action id and order hash in SQLite, sized for a million more.
    private static func loadKeys(_ reader: DatabaseQueue) throws -> JournalKeyFilter {
        try reader.read { db in
            let rows = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM orders") ?? 0
            let keys = JournalKeyFilter(capacity: rows + 1_000_000)
            let cursor = try Row.fetchCursor(db, sql: "SELECT actionID, orderHash FROM orders")
            while let row = try cursor.next() {
                keys.insert(row[0], kind: .action)
                keys.insert(row[1], kind: .orderHash)
            }
            return keys
        }
    }

    private static func row(_ db: Database, sql: String, _ key: String) throws -> Journal.Entry? {
        try Row.fetchOne(try db.cachedStatement(sql: sql), arguments: [key]).flatMap(Journal.entry)
    }
}
