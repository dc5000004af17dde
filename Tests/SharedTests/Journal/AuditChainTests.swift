import Foundation
import Testing
import PolypipeCore
import JournalStore

/// The audit chain's pure core (``AuditChain``): a chain built here, tampered with in memory,
/// verified. Every kind of tampering must name the first bad row; random tampering must never
/// pass.
@Suite struct AuditChainTests {
    static func fields(_ id: Int64, detail: String? = nil) -> AuditChain.Fields {
        AuditChain.Fields(id: id, atMillis: 1_000 * id, actionID: id % 3 == 0 ? nil : "a\(id)", decision: "signed",
                          detail: detail ?? "order \(id)")
    }

    /// `count` rows chained from genesis, and the head that goes with them.
    static func chain(_ count: Int) -> ([AuditChain.Row], AuditHead) {
        var previous = AuditChain.genesis
        var rows: [AuditChain.Row] = []
        for id in 1...Int64(count) {
            let hash = AuditChain.link(previous: previous, fields(id))
            rows.append(AuditChain.Row(fields: fields(id), chainHash: hash))
            previous = hash
        }
        return (rows, AuditHead(count: count, lastID: Int64(count), hash: previous))
    }

    @Test func anIntactChainVerifies() {
        let (rows, head) = Self.chain(5)
        #expect(AuditChain.verify(rows, head: head) == nil)
        #expect(AuditChain.verify([], head: .empty) == nil)
    }

    @Test func theEncodingSeparatesFieldsAndAbsentFromEmpty() {
        // "ab" + "c" and "a" + "bc" must not hash alike; nor must a missing action id and "".
        let one = AuditChain.Fields(id: 1, atMillis: 1, actionID: nil, decision: "ab", detail: "c")
        let two = AuditChain.Fields(id: 1, atMillis: 1, actionID: nil, decision: "a", detail: "bc")
        let empty = AuditChain.Fields(id: 1, atMillis: 1, actionID: "", decision: "ab", detail: "c")
        #expect(AuditChain.canonical(one) != AuditChain.canonical(two))
        #expect(AuditChain.canonical(one) != AuditChain.canonical(empty))
        #expect(AuditChain.link(previous: AuditChain.genesis, one).count == 32)
    }

    @Test func aChangedDetailIsNamed() {
        var (rows, head) = Self.chain(5)
        rows[2] = AuditChain.Row(fields: Self.fields(3, detail: "something else"), chainHash: rows[2].chainHash)
        #expect(AuditChain.verify(rows, head: head) == AuditFault(id: 3, atMillis: 3_000, problem: .changed))
        // The last row too: the head vouches for its hash.
        (rows, head) = Self.chain(5)
        rows[4] = AuditChain.Row(fields: Self.fields(5, detail: "x"), chainHash: rows[4].chainHash)
        #expect(AuditChain.verify(rows, head: head)?.problem == .changed)
    }

    @Test func anInsertedRowIsNamedWithOrWithoutAHash() {
        let (rows, head) = Self.chain(4)
        let stranger = AuditChain.Fields(id: 10, atMillis: 2_500, actionID: "evil", decision: "signed", detail: "x")
        for hash in [nil, rows[1].chainHash, Array(repeating: 7, count: 32)] as [[UInt8]?] {
            var tampered = rows
            tampered.insert(AuditChain.Row(fields: stranger, chainHash: hash), at: 2)
            #expect(AuditChain.verify(tampered, head: head) == AuditFault(id: 10, atMillis: 2_500, problem: .inserted))
            // Appended after the last row.
            #expect(AuditChain.verify(rows + [AuditChain.Row(fields: stranger, chainHash: hash)], head: head)?.problem == .inserted)
        }
    }

    @Test func aDeletedMiddleRowIsNamedAtTheRowAfterTheGap() {
        var (rows, head) = Self.chain(5)
        rows.remove(at: 2)  // id 3
        #expect(AuditChain.verify(rows, head: head) == AuditFault(id: 4, atMillis: 4_000, problem: .missingBefore(previousID: 2)))
        (rows, head) = Self.chain(5)
        rows.removeFirst()
        #expect(AuditChain.verify(rows, head: head)?.problem == .missingBefore(previousID: nil))
    }

    @Test func deletedLastRowsAreFoundByTheHead() {
        var (rows, head) = Self.chain(5)
        rows.removeLast(2)
        #expect(AuditChain.verify(rows, head: head)
            == AuditFault(id: 4, atMillis: nil, problem: .missingAtEnd(expectedCount: 5, expectedLastID: 5, foundCount: 3)))
        rows.removeAll()
        #expect(AuditChain.verify(rows, head: head)?.problem == .missingAtEnd(expectedCount: 5, expectedLastID: 5, foundCount: 0))
    }

    @Test func aRewrittenHeadIsFound() {
        let (rows, head) = Self.chain(3)
        #expect(AuditChain.verify(rows, head: AuditHead(count: 3, lastID: 3, hash: AuditChain.genesis))?.problem
            == .headMismatch(expectedCount: 3, foundCount: 3))
        #expect(AuditChain.verify(rows, head: AuditHead(count: 2, lastID: 2, hash: head.hash))?.problem
            == .headMismatch(expectedCount: 2, foundCount: 3))
    }

    /// Random chains, one random tampering each (change a field, insert, delete anywhere,
    /// swap two rows): never reported intact.
    @Test(arguments: [UInt64(1), 2, 3, 4])
    func randomTamperingIsNeverMissed(seed: UInt64) {
        var random = SplitMix64(seed: seed)
        for _ in 0..<300 {
            var (rows, head) = Self.chain(Int(random.next() % 12) + 1)
            let index = Int(random.next() % UInt64(rows.count))
            let original = rows[index]
            switch random.next() % 5 {
            case 0:
                let fields = original.fields
                rows[index] = AuditChain.Row(fields: AuditChain.Fields(id: fields.id, atMillis: fields.atMillis + 1, actionID: fields.actionID,
                                                                       decision: fields.decision, detail: fields.detail), chainHash: original.chainHash)
            case 1:
                rows[index] = AuditChain.Row(fields: Self.fields(original.fields.id, detail: original.fields.detail + "!"), chainHash: original.chainHash)
            case 2:
                rows.insert(AuditChain.Row(fields: Self.fields(99), chainHash: random.next() % 2 == 0 ? nil : original.chainHash), at: index)
            case 3:
                rows.remove(at: index)
            default:
                guard rows.count > 1 else { rows.removeAll(); break }
                rows.swapAt(index, (index + 1) % rows.count)
            }
            #expect(AuditChain.verify(rows, head: head) != nil, "tampering passed (seed \(seed))")
        }
    }
}
