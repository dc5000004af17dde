/// The first place where the audit log's hash chain (``AuditChain``) does not hold.
public struct AuditFault: Error, Sendable, Hashable, CustomStringConvertible {
    /// What is wrong there.
    public enum Problem: Sendable, Hashable {
        /// The row's fields no longer hash to its stored hash, and the next row (or the head)
        /// confirms that hash: the row was changed after it was written.
        case changed
        /// The row is not part of the chain: it has no hash, or the rows around it chain past
        /// it. Written around the journal.
        case inserted
        /// The row and what follows chain, but not from the row before it, and ids are missing
        /// in between: rows after `previousID` (nil: the start) were deleted.
        case missingBefore(previousID: Int64?)
        /// Every row chains, but the head names more rows than the table has: the last rows
        /// were deleted (from `AuditFault/id` on).
        case missingAtEnd(expectedCount: Int, expectedLastID: Int64?, foundCount: Int)
        /// Every row chains, yet the head disagrees (it was rewritten, or rows were appended
        /// and the head forged to count them but not to hash them).
        case headMismatch(expectedCount: Int, foundCount: Int)
        /// The row does not follow from the row before it (`previousID`), and neither
        /// neighbour tells why; several changes at once.
        case brokenLink(previousID: Int64?)
    }

    /// The row's id (for ``Problem/missingAtEnd(expectedCount:expectedLastID:foundCount:)``:
    /// the first missing id; for ``Problem/headMismatch(expectedCount:foundCount:)``: the
    /// last row's).
    public let id: Int64
    /// The row's time as stored (nil when the row is missing).
    public let atMillis: Int64?
    public let problem: Problem

    public init(id: Int64, atMillis: Int64?, problem: Problem) {
        self.id = id
        self.atMillis = atMillis
        self.problem = problem
    }

    /// What is wrong, for a person (without the row's id and time, which callers print in
    /// their own format).
    public var explanation: String {
        switch problem {
        case .changed:
            return "its contents do not match its hash (changed after it was written)"
        case .inserted:
            return "it is not part of the chain (inserted around the journal)"
        case .missingBefore(let previousID):
            let range = previousID.map { "between row \($0) and it" } ?? "before it"
            return "rows \(range) were deleted (it does not follow from the row before it)"
        case .missingAtEnd(let expected, let lastID, let found):
            let last = lastID.map { ", up to row \($0)" } ?? ""
            return "rows from here on were deleted: the chain head records \(expected) rows\(last), the table has \(found)"
        case .headMismatch(let expected, let found):
            return "the chain head (\(expected) rows) does not match the rows (\(found) rows chain intact): the head or the last rows were rewritten"
        case .brokenLink(let previousID):
            let after = previousID.map { "row \($0)" } ?? "the start of the chain"
            return "it does not follow from \(after), and its neighbours do not say why (several rows changed)"
        }
    }

    public var description: String {
        "audit row \(id)\(atMillis.map { " at \($0) ms" } ?? ""): \(explanation)"
    }
}
