import Testing
@testable import JournalStore

/// The filter's one hard rule: an inserted key is never answered "absent". Its false-positive
/// rate only decides how often SQLite is asked anyway.
@Suite struct JournalKeyFilterTests {
    @Test func anInsertedKeyIsAlwaysFound() {
        let keys = JournalKeyFilter(capacity: 10_000)
        let inserted = (0..<20_000).map { "action-\($0)-\(UInt64.random(in: 0...UInt64.max))" }
        for key in inserted { keys.insert(key, kind: .action) }
        #expect(inserted.allSatisfy { keys.mightContain($0, kind: .action) })
        #expect(keys.count == 20_000)
    }

    @Test func mostAbsentKeysAreAnsweredAbsent() {
        let keys = JournalKeyFilter(capacity: 100_000)
        for index in 0..<100_000 { keys.insert("0x\(String(index, radix: 16))", kind: .orderHash) }
        let falsePositives = (0..<100_000).filter { keys.mightContain("0xabsent\($0)", kind: .orderHash) }.count
        #expect(falsePositives < 1_000, "about 0.24 % expected at capacity, got \(falsePositives) in 100,000")
    }

    @Test func anActionIdDoesNotAnswerForAnOrderHash() {
        let keys = JournalKeyFilter(capacity: 1_000)
        for index in 0..<1_000 { keys.insert("k\(index)", kind: .action) }
        let crossed = (0..<1_000).filter { keys.mightContain("k\($0)", kind: .orderHash) }.count
        #expect(crossed < 50)
    }
}
