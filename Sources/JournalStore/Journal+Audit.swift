import GRDB

/// The signing audit log: one line per risk or execution decision, hash-chained
/// (``AuditChain``) so that a changed, inserted or deleted line is found by ``verifyAudit()``.
extension Journal {
    /// Appends one risk or execution decision to the audit log (never updated, never deleted;
    /// chained when it is applied to SQLite).
    public func audit(actionID: String?, decision: String, detail: String, nowMillis: Int64) throws(Failure) {
        do {
            try write { _ -> (JournalChange?, Bool) in
                (.audit(JournalChange.Note(actionID: actionID, decision: decision, detail: detail), nowMillis: nowMillis), true)
            }
        } catch {
            throw Failure(description: "journal: cannot append to the audit log: \(error)")
        }
    }

    /// One line of the audit log.
    public struct AuditLine: Sendable, Hashable {
        /// Its position in the chain (consecutive, from 1).
        public let id: Int64
        public let atMillis: Int64
        public let actionID: String?
        public let decision: String
        public let detail: String
    }

    /// The last `limit` lines of the audit log, oldest first (in the order they were written).
    public func auditTrail(last limit: Int = 10_000) throws(Failure) -> [AuditLine] {
        try auditLines(sql: "SELECT * FROM (SELECT * FROM audit ORDER BY id DESC LIMIT ?) ORDER BY id", [limit])
    }

    /// The lines written at or after `sinceMillis` (their own time), oldest first, at most
    /// `limit` (the earliest ones).
    public func auditTrail(sinceMillis: Int64, limit: Int = .max) throws(Failure) -> [AuditLine] {
        try auditLines(sql: "SELECT * FROM audit WHERE atMillis >= ? ORDER BY id LIMIT ?", [sinceMillis, Int64(clamping: limit)])
    }

    private func auditLines(sql: String, _ arguments: StatementArguments) throws(Failure) -> [AuditLine] {
        do {
            return try readAll { db in
                try Row.fetchAll(db, sql: sql, arguments: arguments).map {
                    AuditLine(id: $0["id"], atMillis: $0["atMillis"], actionID: $0["actionID"], decision: $0["decision"], detail: $0["detail"])
                }
            }
        } catch {
            throw Failure(description: "journal: cannot read the audit log: \(error)")
        }
    }

    public func auditCount() throws(Failure) -> Int {
        do { return try readAll { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM audit") ?? 0 } } catch {
            throw Failure(description: "journal: cannot read the audit log: \(error)")
        }
    }

    /// What ``verifyAudit()`` found.
    public struct AuditVerification: Sendable, Hashable {
        /// The chain's head as recorded beside the rows.
        public let head: AuditHead
        /// The first bad row; nil when every row chains and the head matches.
        public let firstBad: AuditFault?

        public var isIntact: Bool { firstBad == nil }
    }

    /// Recomputes the audit chain from the first row (after applying the whole log) and checks
    /// it against the recorded head. Reads every row once, streamed.
    /// - Throws: ``Failure`` when the journal cannot be read (a bad chain is not an error: it is
    ///   the answer).
    public func verifyAudit() throws(Failure) -> AuditVerification {
        do {
            let (head, fault) = try readAll { db in try AuditChainTable.verify(db) }
            return AuditVerification(head: head, firstBad: fault)
        } catch {
            throw Failure(description: "journal: cannot verify the audit log: \(error)")
        }
    }
}
