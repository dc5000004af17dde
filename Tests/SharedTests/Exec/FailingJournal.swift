import Synchronization
import Execution
import JournalStore
import PolypipeCore

/// A real ``Journal`` whose calls can be made to fail on demand, one operation at a time: the
/// disk-full, read-only or locked journal of HB-08, without filling a disk.
final class FailingJournal: OrderJournal, Sendable {
    enum Operation: Sendable, Hashable, CaseIterable {
        case tradingState, setTradingState, setting, setSetting, record, resign, update, audit, entryByAction, entryByHash, entries, mark, marked
    }

    struct Failure: Error, CustomStringConvertible {
        let operation: Operation
        var description: String { "scripted journal failure: \(operation) (disk full)" }
    }

    let journal: Journal
    /// The operations that fail now.
    let failing = Mutex<Set<Operation>>([])
    /// How many calls of each operation failed.
    let failures = Mutex<[Operation: Int]>([:])

    init(_ journal: Journal) { self.journal = journal }

    func fail(_ operations: Set<Operation>) { failing.withLock { $0 = operations } }
    func heal() { failing.withLock { $0 = [] } }
    func failed(_ operation: Operation) -> Int { failures.withLock { $0[operation] ?? 0 } }

    private func check(_ operation: Operation) throws {
        guard failing.withLock({ $0.contains(operation) }) else { return }
        failures.withLock { $0[operation, default: 0] += 1 }
        throw Failure(operation: operation)
    }

    func tradingState() throws -> TradingState {
        try check(.tradingState)
        return try journal.tradingState()
    }

    func setTradingState(_ state: TradingState) throws {
        try check(.setTradingState)
        try journal.setTradingState(state)
    }

    func setting(_ key: String) throws -> String? {
        try check(.setting)
        return try journal.setting(key)
    }

    func setSetting(_ key: String, value: String) throws {
        try check(.setSetting)
        try journal.setSetting(key, value: value)
    }

    func record(actionID: String, orderHash: String, market: String, body: [UInt8], nowMillis: Int64,
                expiresAtMillis: Int64?, audit: (decision: String, detail: String)?) throws -> Journal.Recorded {
        try check(.record)
        return try journal.record(actionID: actionID, orderHash: orderHash, market: market, body: body, nowMillis: nowMillis,
                                  expiresAtMillis: expiresAtMillis, audit: audit)
    }

    func resign(actionID: String, orderHash: String, body: [UInt8], nowMillis: Int64) throws -> Bool {
        try check(.resign)
        return try journal.resign(actionID: actionID, orderHash: orderHash, body: body, nowMillis: nowMillis)
    }

    func update(orderHash: String, to state: Journal.State, reason: String?, nowMillis: Int64,
                audit: (actionID: String?, decision: String, detail: String)?) throws {
        try check(.update)
        try journal.update(orderHash: orderHash, to: state, reason: reason, nowMillis: nowMillis, audit: audit)
    }

    func audit(actionID: String?, decision: String, detail: String, nowMillis: Int64) throws {
        try check(.audit)
        try journal.audit(actionID: actionID, decision: decision, detail: detail, nowMillis: nowMillis)
    }

    func entry(actionID: String) throws -> Journal.Entry? {
        try check(.entryByAction)
        return try journal.entry(actionID: actionID)
    }

    func entry(orderHash: String) throws -> Journal.Entry? {
        try check(.entryByHash)
        return try journal.entry(orderHash: orderHash)
    }

    func entries(in states: [Journal.State], createdSinceMillis: Int64) throws -> [Journal.Entry] {
        try check(.entries)
        return try journal.entries(in: states, createdSinceMillis: createdSinceMillis)
    }

    func mark(_ mark: Journal.Mark, key: String, detail: String, nowMillis: Int64) throws {
        try check(.mark)
        try journal.mark(mark, key: key, detail: detail, nowMillis: nowMillis)
    }

    func marked(_ mark: Journal.Mark, key: String) throws -> String? {
        try check(.marked)
        return try journal.marked(mark, key: key)
    }
}
