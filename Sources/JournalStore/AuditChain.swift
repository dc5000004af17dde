import Crypto

/// The audit log's hash chain: pure functions, no SQLite (``AuditChainTable`` stores what they
/// compute; tests call them directly).
///
/// Each audit row carries `chainHash = SHA-256(previous row's chainHash ‖ canonical(row))`, the
/// first row chaining from 32 zero bytes (``genesis``). The canonical encoding is a domain tag
/// and then the row's fields in a fixed order, each length-prefixed, so no two different rows
/// encode alike (see ``canonical(_:)``). A separate one-row record, the ``AuditHead``, holds how
/// many rows the chain has and its last hash; it is written in the same transaction as each row.
///
/// What verification (``verify(_:head:)``) catches, and why:
/// - a **changed** field: the row no longer hashes to its stored `chainHash`;
/// - an **inserted** row: it does not follow from the row before it (its hash, if it has one,
///   was not computed from that row's hash), or the next row does not follow from it;
/// - a **deleted** row in the middle: the row after the gap does not follow from the row before
///   it;
/// - **deleted last rows**: every remaining row still chains, so only the head can tell — it
///   names more rows, and a later hash, than the table has.
///
/// What it cannot catch: someone who can write the database file can recompute every hash and
/// the head (there is no secret in the chain; the CLI must verify without exec-proc's key), or
/// delete the rows and the head together. Against that, copy the head (`polypipe audit --verify`
/// prints it) somewhere the host cannot rewrite: any later rewrite of an earlier row then shows
/// as a head that no longer extends the copy. Frames still in the log file (`journal.sqlite.log`,
/// checksummed but not chained) are chained only once applied.
public enum AuditChain {
    /// What the first row chains from.
    public static let genesis = [UInt8](repeating: 0, count: 32)

    /// Starts every row's encoding: a change to the encoding gets a new tag.
    private static let domain = Array("polypipe.audit.v1".utf8)

    /// The fields of one row, as hashed.
    public struct Fields: Sendable, Hashable {
        public let id: Int64
        public let atMillis: Int64
        public let actionID: String?
        public let decision: String
        public let detail: String

        public init(id: Int64, atMillis: Int64, actionID: String?, decision: String, detail: String) {
            self.id = id
            self.atMillis = atMillis
            self.actionID = actionID
            self.decision = decision
            self.detail = detail
        }
    }

    /// One stored row: its fields and the hash stored with it (nil: none stored, a row written
    /// around the chain).
    public struct Row: Sendable, Hashable {
        public let fields: Fields
        public let chainHash: [UInt8]?

        public init(fields: Fields, chainHash: [UInt8]?) {
            self.fields = fields
            self.chainHash = chainHash
        }
    }

    /// The canonical bytes of a row: the domain tag, `id` and `atMillis` as 8-byte little-endian
    /// integers, `actionID` as a presence byte (0/1) and then, if present, a 4-byte little-endian
    /// length and its UTF-8, then `decision` and `detail` likewise length-prefixed.
    public static func canonical(_ fields: Fields) -> [UInt8] {
        var bytes = domain
        func integer(_ value: Int64) { withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) } }
        func text(_ value: String) {
            let utf8 = Array(value.utf8)
            withUnsafeBytes(of: UInt32(utf8.count).littleEndian) { bytes.append(contentsOf: $0) }
            bytes.append(contentsOf: utf8)
        }
        integer(fields.id)
        integer(fields.atMillis)
        if let actionID = fields.actionID { bytes.append(1); text(actionID) } else { bytes.append(0) }
        text(fields.decision)
        text(fields.detail)
        return bytes
    }

    /// The hash a row with `fields` gets after a row whose hash is `previous`.
    public static func link(previous: [UInt8], _ fields: Fields) -> [UInt8] {
        var hasher = SHA256()
        hasher.update(data: previous)
        hasher.update(data: canonical(fields))
        return Array(hasher.finalize())
    }

    /// Walks `rows` (in id order) from ``genesis`` and checks the end against `head`. Streams:
    /// one row of look-ahead, whatever the log's length.
    /// - Returns: the first row that is wrong (or, for rows deleted at the end, the first
    ///   missing one), nil when the chain is intact.
    public static func verify(_ rows: some Sequence<Row>, head: AuditHead) -> AuditFault? {
        var iterator = rows.makeIterator()
        var previous = genesis
        var previousID: Int64?
        var count = 0
        var current = iterator.next()
        while let row = current {
            let next = iterator.next()
            let expected = link(previous: previous, row.fields)
            guard row.chainHash == expected else {
                return diagnose(row, next: next, previous: previous, previousID: previousID, count: count, head: head)
            }
            (previous, previousID, count) = (expected, row.fields.id, count + 1)
            current = next
        }
        if count < head.count {
            return AuditFault(id: (previousID ?? 0) + 1, atMillis: nil,
                              problem: .missingAtEnd(expectedCount: head.count, expectedLastID: head.lastID, foundCount: count))
        }
        guard count == head.count, previous == head.hash else {
            return AuditFault(id: previousID ?? 0, atMillis: nil, problem: .headMismatch(expectedCount: head.count, foundCount: count))
        }
        return nil
    }

    /// Why `row` does not follow from `previous`, judged by its neighbour: the next row (or,
    /// for the last row, the head) follows either from `previous` (this row was slipped in) or
    /// from this row's stored hash (that hash is genuine: the row changed, or rows before it
    /// were deleted).
    private static func diagnose(_ row: Row, next: Row?, previous: [UInt8], previousID: Int64?, count: Int,
                                 head: AuditHead) -> AuditFault {
        let at = { (problem: AuditFault.Problem) in AuditFault(id: row.fields.id, atMillis: row.fields.atMillis, problem: problem) }
        guard let stored = row.chainHash else { return at(.inserted) }
        let skipsThisRow = next.map { link(previous: previous, $0.fields) == $0.chainHash }
            ?? (count == head.count && previous == head.hash)
        if skipsThisRow { return at(.inserted) }
        let hashIsGenuine = next.map { link(previous: stored, $0.fields) == $0.chainHash } ?? (head.hash == stored)
        guard hashIsGenuine else { return at(.brokenLink(previousID: previousID)) }
        // Ids are consecutive as written; a gap before a genuine hash is where rows were cut.
        if row.fields.id > (previousID ?? 0) + 1 { return at(.missingBefore(previousID: previousID)) }
        return at(.changed)
    }
}

/// Where the chain ends, kept apart from the rows (updated in the same transaction as each
/// row): deleting rows cannot make it agree.
public struct AuditHead: Sendable, Hashable {
    /// Rows in the chain.
    public let count: Int
    /// The last row's id (nil: no row yet).
    public let lastID: Int64?
    /// The last row's hash (``AuditChain/genesis`` for an empty chain).
    public let hash: [UInt8]

    public init(count: Int, lastID: Int64?, hash: [UInt8]) {
        self.count = count
        self.lastID = lastID
        self.hash = hash
    }

    public static let empty = AuditHead(count: 0, lastID: nil, hash: AuditChain.genesis)
}
