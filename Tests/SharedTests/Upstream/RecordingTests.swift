import Foundation
import Testing
import PolypipeCore
import Upstream

/// The recording format: what is written reads back the same, a file is never overwritten, and
/// a bad line is named by its number rather than skipped.
@Suite struct RecordingTests {
    static func scratchPath() -> String { NSTemporaryDirectory() + "recording-test-\(UUID().uuidString.prefix(8)).jsonl" }
    static let header = RecordingHeader(startedAtMillis: 1_000, upstream: "http://127.0.0.1:8080", windows: ["20s"], symbol: "btcusdt")

    @Test func recordsReadBackExactlyAndInOrder() throws {
        let path = Self.scratchPath()
        defer { try? FileManager.default.removeItem(atPath: path) }
        let records = [
            UpstreamRecord(receivedAtMillis: 1_001, kind: .window, key: "btc-updown-20s-1", data: try JSONParser.parse(#"[{"slug":"btc-updown-20s-1"}]"#)),
            UpstreamRecord(receivedAtMillis: 1_002, kind: .book, key: "123", data: try JSONParser.parse(#"{"bids":[{"price":"0.45","size":"10"}],"asks":[]}"#)),
            UpstreamRecord(receivedAtMillis: 1_003, kind: .market, data: try JSONParser.parse(#"{"event_type":"last_trade_price","price":"0.45","size":"5"}"#)),
            UpstreamRecord(receivedAtMillis: 1_004, kind: .feed, key: "market", data: .string("dropped: reset")),
        ]
        let writer = try RecordingWriter(path: path, header: Self.header)
        for record in records { try writer.append(record) }
        try writer.close()
        #expect(writer.count == 4)
        let reader = try RecordingReader(path: path)
        #expect(reader.header == Self.header)
        #expect(reader.records == records)
        #expect(throws: RecordingError.self) { try writer.append(records[0]) }
    }

    @Test func anExistingFileIsNeverOverwritten() throws {
        let path = Self.scratchPath()
        defer { try? FileManager.default.removeItem(atPath: path) }
        try Data("keep me\n".utf8).write(to: URL(fileURLWithPath: path))
        #expect(throws: RecordingError.exists(path)) { try RecordingWriter(path: path, header: Self.header) }
        #expect(String(decoding: FileManager.default.contents(atPath: path) ?? Data(), as: UTF8.self) == "keep me\n")
    }

    @Test func aBadLineIsNamedByItsNumber() throws {
        let path = Self.scratchPath()
        defer { try? FileManager.default.removeItem(atPath: path) }
        let good = UpstreamRecord(receivedAtMillis: 5, kind: .clock, data: .number("5")).line
        try Data((Self.header.line + "\n" + good + "\n" + #"{"t":6,"kind":"gossip","data":1}"# + "\n").utf8).write(to: URL(fileURLWithPath: path))
        #expect(throws: RecordingError.malformedLine(path: path, line: 3, "unknown kind 'gossip' (expected one of market, price, book, window, terms, resolution, clock, feed)")) {
            try RecordingReader(path: path)
        }
        try Data(#"{"polypipe_recording":2,"started_at_ms":1}"#.utf8).write(to: URL(fileURLWithPath: path))
        #expect(throws: RecordingError.unsupportedVersion(2)) { try RecordingReader(path: path) }
        try Data("hello\n".utf8).write(to: URL(fileURLWithPath: path))
        #expect(throws: RecordingError.notARecording) { try RecordingReader(path: path) }
    }
}
