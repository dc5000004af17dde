import GRDB

/// Marks: keyed audit lines the executor looks up again, across restarts.
///
/// A request id (a strategy's cancel request, a replace) is executed at most once: before
/// anything is sent, its mark is written (one audit line whose `actionID` column holds the key
/// and whose `decision` is the mark's raw value); a request whose mark exists is a duplicate.
/// An order's resting lifetime is marked the same way under its action id, before the order is
/// sent, so a restarted exec-proc can still take the order off the book in time.
///
/// Marks are ordinary audit lines (the audit log is append-only), written through the log like
/// every other change: durable on return, readable by the next process. Reading one applies the
/// log first (like every wide read) and uses the `audit_marks` index (migration `v4-marks`).
extension Journal {
    /// What a mark records. Raw values are stored: never change one once shipped.
    public enum Mark: String, Sendable, CaseIterable {
        /// A cancel request (topic "cancel") was executed; keyed by the request id.
        case cancelRequest = "cancel-request"
        /// A replace request (topic "replace") was executed; keyed by the replace id (= the new
        /// action's id).
        case replaceRequest = "replace-request"
        /// An order's resting lifetime in milliseconds (the detail, in decimal); keyed by the
        /// action id.
        case restLimit = "rest-limit"
    }

    /// Writes `mark` for `key` (durable when it returns, as ``record(actionID:orderHash:market:body:nowMillis:expiresAtMillis:audit:)``).
    public func mark(_ mark: Mark, key: String, detail: String, nowMillis: Int64) throws(Failure) {
        try audit(actionID: key, decision: mark.rawValue, detail: detail, nowMillis: nowMillis)
    }

    /// The detail of the first `mark` written for `key`, or nil when there is none.
    public func marked(_ mark: Mark, key: String) throws(Failure) -> String? {
        do {
            return try readAll { db in
                try String.fetchOne(db, sql: "SELECT detail FROM audit WHERE actionID = ? AND decision = ? ORDER BY id LIMIT 1",
                                    arguments: [key, mark.rawValue])
            }
        } catch {
            throw Failure(description: "journal: cannot read the \(mark.rawValue) mark of \(key): \(error)")
        }
    }
}
