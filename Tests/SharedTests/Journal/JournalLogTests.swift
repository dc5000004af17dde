import Foundation
import GRDB
import Testing
import JournalStore

/// The journal's append-only log: a write is durable and readable before SQLite has it, a crash
/// leaves it to be applied exactly once at the next open, a torn tail is dropped, damage is
/// refused, and the order of writes is the order of rows. A fresh directory per test.
@Suite struct JournalLogTests {
    let directory: URL
    var path: String { directory.appendingPathComponent("journal.sqlite").path }
    var logPath: String { path + ".log" }

    init() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("polypipe-journal-log-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    /// What SQLite itself holds, read on a connection of its own (not through the journal).
    func sqliteCount(_ table: String) throws -> Int {
        let queue = try DatabaseQueue(path: path)
        return try queue.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM \(table)") ?? -1 }
    }

    func logBytes() throws -> [UInt8] { Array(try Data(contentsOf: URL(fileURLWithPath: logPath))) }

    func writeLog(_ bytes: [UInt8]) throws { try Data(bytes).write(to: URL(fileURLWithPath: logPath)) }

    /// Three orders (a1, a2, a3), each with its audit line, left in the log only — as a process
    /// killed before its indexer ran leaves them. Returns the log's size after each record.
    @discardableResult
    func threeOrdersInTheLogOnly() throws -> [Int] {
        let journal = try Journal(path: path, indexing: .onRead)
        var sizes: [Int] = []
        for index in 1...3 {
            #expect(try journal.record(actionID: "a\(index)", orderHash: "0x0\(index)", market: "m", body: [UInt8](repeating: UInt8(index), count: 300),
                                       nowMillis: Int64(index), expiresAtMillis: 1_000, audit: ("signed", "order \(index)")) == .new)
            sizes.append(try logBytes().count)
        }
        #expect(journal.unindexedCount == 3)
        return sizes
    }

    @Test func aRecordIsReadableBeforeAndAfterAReopenWithoutTheIndexer() throws {
        defer { try? FileManager.default.removeItem(at: directory) }
        do {
            let journal = try Journal(path: path, indexing: .onRead)
            _ = try journal.record(actionID: "a1", orderHash: "0x01", market: "m", body: [1, 2, 3], nowMillis: 5, expiresAtMillis: 50,
                                   audit: ("signed", "detail"))
            try journal.update(orderHash: "0x01", to: .unknown, reason: "timed out", nowMillis: 6)
            #expect(try sqliteCount("orders") == 0, "nothing indexed yet")
            // Every read of one order sees the writes anyway, and a second order for the action is refused.
            #expect(try journal.entry(actionID: "a1")?.state == .unknown)
            #expect(try journal.entry(orderHash: "0x01")?.reason == "timed out")
            guard case .existing(let existing) = try journal.record(actionID: "a1", orderHash: "0x02", market: "m", body: [9], nowMillis: 7,
                                                                    expiresAtMillis: nil) else {
                Issue.record("a second order for an unindexed action was journaled"); return
            }
            #expect(existing.orderHash == "0x01")
            #expect(throws: Journal.Failure.self) {
                try journal.record(actionID: "a2", orderHash: "0x01", market: "m", body: [1], nowMillis: 8, expiresAtMillis: nil)
            }
        }
        #expect(try sqliteCount("orders") == 0, "the journal closed without indexing (a crash)")
        let reopened = try Journal(path: path, indexing: .onRead)
        #expect(reopened.recovery.replayed == 2 && reopened.recovery.tornBytes == 0)
        #expect(try sqliteCount("orders") == 1 && sqliteCount("audit") == 1, "applied at open, before any read")
        let entry = try #require(try reopened.entry(actionID: "a1"))
        #expect(entry.state == .unknown && entry.reason == "timed out" && entry.body == [1, 2, 3] && entry.expiresAtMillis == 50)
    }

    @Test func aReplayAppliesEachChangeExactlyOnce() throws {
        defer { try? FileManager.default.removeItem(at: directory) }
        do {
            let journal = try Journal(path: path, indexing: .onRead)
            try journal.audit(actionID: nil, decision: "first", detail: "indexed before the crash", nowMillis: 1)
            try journal.index()
            try journal.audit(actionID: nil, decision: "second", detail: "in the log only", nowMillis: 2)
            try journal.setTradingState(.halted)
        }
        do {
            let first = try Journal(path: path, indexing: .onRead)
            #expect(first.recovery.replayed == 2, "only what SQLite lacked")
        }
        let second = try Journal(path: path, indexing: .onRead)
        #expect(second.recovery.replayed == 0, "a second open finds nothing left")
        #expect(try second.auditTrail().map(\.decision) == ["first", "second"])
        #expect(try second.tradingState() == .halted)
    }

    @Test func aTornTailIsDroppedAndWritingGoesOn() throws {
        defer { try? FileManager.default.removeItem(at: directory) }
        let sizes = try threeOrdersInTheLogOnly()
        // kill -9 in the middle of the third write(2): only part of its frame reached the file.
        try writeLog(Array(try logBytes().prefix(sizes[1] + 20)))
        do {
            let journal = try Journal(path: path, indexing: .onRead)
            #expect(journal.recovery.replayed == 2 && journal.recovery.tornBytes == 20)
            #expect(try logBytes().count == sizes[1], "the torn tail is cut off")
            #expect(try journal.entry(actionID: "a3") == nil, "the torn order was never acknowledged")
            _ = try journal.record(actionID: "a4", orderHash: "0x04", market: "m", body: [4], nowMillis: 4, expiresAtMillis: nil)
        }
        let reopened = try Journal(path: path)
        #expect(reopened.recovery.replayed == 1, "the frame written after the cut parses")
        #expect(try reopened.entries(in: [.signed]).map(\.actionID) == ["a1", "a2", "a4"])
    }

    @Test func aWholeLastFrameWithABadChecksumIsTorn() throws {
        defer { try? FileManager.default.removeItem(at: directory) }
        try threeOrdersInTheLogOnly()
        var bytes = try logBytes()
        bytes[bytes.count - 5] ^= 0xFF
        try writeLog(bytes)
        let journal = try Journal(path: path)
        #expect(journal.recovery.replayed == 2 && journal.recovery.tornBytes > 0)
        #expect(try journal.entries(in: [.signed]).map(\.actionID) == ["a1", "a2"])
    }

    @Test func damageBeforeTheEndIsRefusedNotGuessed() throws {
        defer { try? FileManager.default.removeItem(at: directory) }
        let sizes = try threeOrdersInTheLogOnly()
        var bytes = try logBytes()
        bytes[sizes[0] - 5] ^= 0xFF  // inside the first frame; two whole frames follow
        try writeLog(bytes)
        do {
            _ = try Journal(path: path)
            Issue.record("opened a journal whose log is damaged before its end")
        } catch {
            #expect(error.description.contains("checksum"), "\(error)")
        }
        #expect(try logBytes() == bytes, "nothing was cut")
    }

    @Test func writesBecomeRowsInTheOrderTheyWereMade() throws {
        defer { try? FileManager.default.removeItem(at: directory) }
        do {
            let journal = try Journal(path: path, indexing: .background(batchMicros: 0), rotateLogAfterBytes: 4_096)
            for index in 0..<200 {
                let hash = String(format: "0x%04x", index)
                _ = try journal.record(actionID: "a\(index)", orderHash: hash, market: "m", body: [UInt8](repeating: 7, count: 100),
                                       nowMillis: Int64(index), expiresAtMillis: nil, audit: ("signed", "\(index)"))
                try journal.update(orderHash: hash, to: .unknown, nowMillis: Int64(index), audit: ("a\(index)", "unknown", "\(index)"))
                try journal.update(orderHash: hash, to: index.isMultiple(of: 2) ? .accepted : .rejected, nowMillis: Int64(index))
                if index.isMultiple(of: 50) { usleep(5_000) }  // let the indexer (and the log's emptying) run mid-way
            }
            // The indexer empties the applied log once it passed 4 KB (it wrote about 50 KB).
            let deadline = Date().addingTimeInterval(10)
            while (try logBytes().count) >= 4_096 && Date() < deadline { usleep(10_000) }
        }
        let reopened = try Journal(path: path)
        let trail = try reopened.auditTrail()
        #expect(trail.map(\.detail) == (0..<200).flatMap { ["\($0)", "\($0)"] })
        #expect(trail.map(\.decision) == Array(repeating: ["signed", "unknown"], count: 200).flatMap { $0 })
        #expect(try reopened.entries(in: [.accepted]).count == 100 && reopened.entries(in: [.rejected]).count == 100)
        #expect(try logBytes().count < 4_096, "the applied log was emptied")
    }

    @Test func anotherInstanceSeesWritesAtOnce() throws {
        defer { try? FileManager.default.removeItem(at: directory) }
        let writer = try Journal(path: path, indexing: .onRead)
        let reader = try Journal(path: path, indexing: .onRead)
        _ = try writer.record(actionID: "a1", orderHash: "0x01", market: "m", body: [1], nowMillis: 1, expiresAtMillis: nil)
        #expect(try reader.entry(actionID: "a1")?.state == .signed, "read from the log, not yet in SQLite")
        #expect(try reader.record(actionID: "a1", orderHash: "0x09", market: "m", body: [9], nowMillis: 2, expiresAtMillis: nil) != .new)
        try reader.update(orderHash: "0x01", to: .accepted, nowMillis: 3, audit: ("a1", "accepted", "by the second instance"))
        #expect(try writer.entry(actionID: "a1")?.state == .accepted)
        #expect(try writer.entries(in: Journal.State.allCases).map(\.state) == [.accepted])
        #expect(try reader.entries(in: Journal.State.allCases).count == 1 && reader.auditCount() == 1,
                "applied once, though both instances applied")
    }

    /// A new action is answered from memory (``JournalKeyFilter``), so the filter must learn
    /// every key, including one another instance wrote, applied and emptied from the log before
    /// this instance read it: that key is in SQLite only.
    @Test func aKeyOnlyInSQLiteAfterAnotherInstanceEmptiedTheLogIsStillFound() throws {
        defer { try? FileManager.default.removeItem(at: directory) }
        let first = try Journal(path: path, indexing: .onRead)
        #expect(try first.entry(actionID: "a7") == nil)
        do {
            let second = try Journal(path: path, indexing: .background(batchMicros: 0), rotateLogAfterBytes: 1)
            _ = try second.record(actionID: "a7", orderHash: "0x07", market: "m", body: [7], nowMillis: 1, expiresAtMillis: nil)
            let deadline = Date().addingTimeInterval(10)
            while (try logBytes().count) != 16 && Date() < deadline { usleep(10_000) }
            #expect(try logBytes().count == 16, "applied and emptied by the second instance")
        }
        #expect(try first.entry(actionID: "a7")?.orderHash == "0x07")
        #expect(try first.record(actionID: "a7", orderHash: "0x08", market: "m", body: [8], nowMillis: 2, expiresAtMillis: nil) != .new)
        #expect(throws: Journal.Failure.self, "the hash belongs to a7") {
            try first.record(actionID: "a8", orderHash: "0x07", market: "m", body: [8], nowMillis: 3, expiresAtMillis: nil)
        }
    }

    /// Keys already in SQLite when the journal opens are found (the filter is loaded at open).
    @Test func keysInSQLiteAtOpenAreFound() throws {
        defer { try? FileManager.default.removeItem(at: directory) }
        do {
            let journal = try Journal(path: path, indexing: .onRead)
            for index in 1...50 {
                _ = try journal.record(actionID: "a\(index)", orderHash: "0x\(index)", market: "m", body: [1], nowMillis: 1, expiresAtMillis: nil)
            }
            try journal.index()
        }
        let reopened = try Journal(path: path, indexing: .onRead)
        #expect(reopened.recovery.replayed == 0)
        for index in 1...50 { #expect(try reopened.entry(actionID: "a\(index)")?.orderHash == "0x\(index)") }
        #expect(try reopened.record(actionID: "a9", orderHash: "0xff", market: "m", body: [2], nowMillis: 2, expiresAtMillis: nil) != .new)
    }

    /// The log is emptied in two steps: SQLite notes the new generation (and the retired one),
    /// then the file is reset. A crash between them leaves the retired, fully applied log in
    /// place: the next open recognizes it and applies none of it again.
    @Test func aLogRetiredJustBeforeACrashIsNotReplayed() throws {
        defer { try? FileManager.default.removeItem(at: directory) }
        do {
            let journal = try Journal(path: path, indexing: .onRead)
            for index in 1...3 { try journal.audit(actionID: nil, decision: "d\(index)", detail: "", nowMillis: Int64(index)) }
            try journal.index()
        }
        let retired = try logBytes()  // all applied; the generation about to be retired
        do {
            let journal = try Journal(path: path, indexing: .background(batchMicros: 0), rotateLogAfterBytes: 1)
            try journal.audit(actionID: nil, decision: "d4", detail: "", nowMillis: 4)
            let deadline = Date().addingTimeInterval(10)
            // (An empty file is a reset half-way: the header follows.)
            while (try logBytes().count) != 16 && Date() < deadline { usleep(10_000) }
            #expect(try logBytes().count == 16, "emptied under a new generation")
        }
        try writeLog(retired)  // as if the process died after SQLite's note, before the reset
        let reopened = try Journal(path: path)
        #expect(reopened.recovery.replayed == 0)
        #expect(try reopened.auditTrail().map(\.decision) == ["d1", "d2", "d3", "d4"])
        #expect(try logBytes().count == 16, "the retired log is emptied at open")
    }
}
