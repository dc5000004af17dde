/// The changes in the journal's log that SQLite may not have yet, and the orders they touch as
/// they stand after them: what lets a read of one order be exact without waiting for the indexer.
///
/// Invariant (kept by ``JournalLog``): every order that a pending change creates or modifies is
/// in ``entries``, with every pending change applied to it. So for one order, "pending entry,
/// else the SQLite row" is the whole truth. Changes leave in log order, once SQLite has them.
///
/// A value type owned by ``JournalLog``'s mutex; not thread-safe by itself.
struct JournalPending {
    struct Item {
        /// The log offset just past the change's frame (its position in the log's order).
        let end: Int64
        let change: JournalChange
        /// The action whose order the change touched, if it touched one.
        let actionID: String?
    }

    private(set) var items: [Item] = []
    private var entries: [String: Journal.Entry] = [:]
    private var actionByHash: [String: String] = [:]
    /// Pending changes per action: its entry is dropped when the last one is applied.
    private var references: [String: Int] = [:]

    var isEmpty: Bool { items.isEmpty }
    var count: Int { items.count }

    func entry(actionID: String) -> Journal.Entry? { entries[actionID] }

    func entry(orderHash: String) -> Journal.Entry? { actionByHash[orderHash].flatMap { entries[$0] } }

    /// Adds a change read from or written to the log at `end`.
    /// - Parameter current: the order it modifies as it stood before (pending entry, else the
    ///   SQLite row; nil when there is no such order). Ignored for a new order.
    mutating func add(_ change: JournalChange, end: Int64, current: Journal.Entry?) {
        var touched: Journal.Entry?
        switch change {
        case .record(let actionID, let orderHash, let market, let body, let nowMillis, let expiresAtMillis, _):
            touched = Journal.Entry(actionID: actionID, orderHash: orderHash, market: market, body: body, state: .signed,
                                    reason: nil, createdAtMillis: nowMillis, expiresAtMillis: expiresAtMillis)
        case .resign(_, let orderHash, let body, _):
            // Applied only to a rejected order (the SQL says so too).
            if let current, current.state == .rejected {
                actionByHash[current.orderHash] = nil
                touched = Journal.Entry(actionID: current.actionID, orderHash: orderHash, market: current.market, body: body,
                                        state: .signed, reason: nil, createdAtMillis: current.createdAtMillis,
                                        expiresAtMillis: current.expiresAtMillis)
            } else {
                touched = current
            }
        case .update(_, let state, let reason, _, _):
            if var current {
                current.state = state
                current.reason = reason
                touched = current
            }
        case .audit, .tradingState, .setting:
            touched = nil
        }
        if let touched {
            entries[touched.actionID] = touched
            actionByHash[touched.orderHash] = touched.actionID
            references[touched.actionID, default: 0] += 1
        }
        items.append(Item(end: end, change: change, actionID: touched?.actionID))
    }

    /// Forgets every change at or before `end` (SQLite has them), and the entries no pending
    /// change touches any more.
    mutating func drop(through end: Int64) {
        var dropped = 0
        for item in items {
            guard item.end <= end else { break }
            dropped += 1
            guard let actionID = item.actionID, let left = references[actionID] else { continue }
            if left > 1 {
                references[actionID] = left - 1
            } else {
                references[actionID] = nil
                if let entry = entries.removeValue(forKey: actionID), actionByHash[entry.orderHash] == actionID {
                    actionByHash[entry.orderHash] = nil
                }
            }
        }
        items.removeFirst(dropped)
    }

    /// Forgets everything (the log was emptied after all of it was applied).
    mutating func removeAll() { self = JournalPending() }
}
