import JournalStore
import PolypipeCore
/// What the ``Executor`` needs from its journal: the durable record of every order it signs,
/// the audit log and the persisted trading state. ``Journal`` (SQLite) is the one production
/// conformer; tests substitute a journal whose writes fail, to pin the
/// ``JournalFailurePolicy``.
///
/// Every method may throw: a full disk, a read-only file system or a locked database. What the
/// executor does then is not up to each call site but to ``JournalFailurePolicy``.
///
/// - Important: ``record(actionID:orderHash:market:body:nowMillis:expiresAtMillis:audit:)``
///   must be durable when it returns: the executor sends the order's bytes only after it has.
public protocol OrderJournal: AnyObject {
    /// The trading state persisted by the last ``setTradingState(_:)`` (running when none).
    func tradingState() throws -> TradingState
    func setTradingState(_ state: TradingState) throws
    /// Another persisted setting (nil when never set): e.g. ``DailyRealizedPnL``'s baseline.
    func setting(_ key: String) throws -> String?
    func setSetting(_ key: String, value: String) throws
    /// Writes a signed order before it is sent; a second order for the same action id is not
    /// written, and the first one is returned instead.
    func record(actionID: String, orderHash: String, market: String, body: [UInt8], nowMillis: Int64,
                expiresAtMillis: Int64?, audit: (decision: String, detail: String)?) throws -> Journal.Recorded
    /// Replaces a *rejected* order of `actionID` with a newly signed one; false (nothing
    /// written) unless the current one is rejected.
    func resign(actionID: String, orderHash: String, body: [UInt8], nowMillis: Int64) throws -> Bool
    /// Moves an order to `state`, with an audit line in the same transaction.
    func update(orderHash: String, to state: Journal.State, reason: String?, nowMillis: Int64,
                audit: (actionID: String?, decision: String, detail: String)?) throws
    /// Appends one line to the audit log.
    func audit(actionID: String?, decision: String, detail: String, nowMillis: Int64) throws
    func entry(actionID: String) throws -> Journal.Entry?
    func entry(orderHash: String) throws -> Journal.Entry?
    /// Orders in any of `states` signed at or after `createdSinceMillis`, oldest first.
    func entries(in states: [Journal.State], createdSinceMillis: Int64) throws -> [Journal.Entry]
    /// Writes a keyed mark (a request id executed, an order's resting lifetime): durable on return.
    func mark(_ mark: Journal.Mark, key: String, detail: String, nowMillis: Int64) throws
    /// The detail of `mark` for `key`, or nil when none was written.
    func marked(_ mark: Journal.Mark, key: String) throws -> String?
}

/// The SQLite journal, as is: its typed `throws(Journal.Failure)` methods satisfy the protocol.
extension Journal: OrderJournal {}
