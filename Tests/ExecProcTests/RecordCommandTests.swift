import Foundation
import Testing
import PolypipeCore
import PolypipeTesting
import Upstream

/// `polypipe record` through the built binary against a clob-sim process: every kind of
/// record the mirror needs is there, and the file reads back.
extension ProcessSuites {
@Suite(.serialized) struct RecordCommandTests {
    @Test func aFewSecondsOfClobSimRecordWindowsBooksTradesAndPrices() throws {
        let sim = try ProcessHarness.start("clob-sim", ["serve", "--port", "0", "--seed", "5", "--windows", "20s"], readyPrefix: "listening on ")
        defer { sim.kill() }
        let path = NSTemporaryDirectory() + "record-test-\(UUID().uuidString.prefix(8)).jsonl"
        defer { try? FileManager.default.removeItem(atPath: path) }
        let before = Int64(Date().timeIntervalSince1970 * 1000)
        let run = try PolypipeCommand.run(["record", "--venue", sim.readyLine, "--out", path, "--duration", "6", "--window", "20s"], timeout: 60)
        let after = Int64(Date().timeIntervalSince1970 * 1000)
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stdout.hasPrefix("recorded "), "\(run.stdout)")

        let recording = try RecordingReader(path: path)
        #expect(recording.header.upstream == sim.readyLine && recording.header.windows == ["20s"])
        let kinds = Dictionary(grouping: recording.records, by: \.kind).mapValues(\.count)
        #expect(kinds[.window, default: 0] >= 1 && kinds[.book, default: 0] >= 2 && kinds[.clock, default: 0] >= 1, "\(kinds)")
        #expect(kinds[.market, default: 0] >= 1 && kinds[.price, default: 0] >= 1, "\(kinds)")
        #expect(recording.records.allSatisfy { $0.receivedAtMillis >= before && $0.receivedAtMillis <= after })
        // The books are the venue's own answers: a REST snapshot per token of the window.
        let window = try #require(recording.records.first { $0.kind == .window })
        #expect(window.key.hasPrefix("btc-updown-20s-"))
        #expect(recording.records.filter { $0.kind == .book }.allSatisfy { $0.data["bids"] != nil && $0.data["asks"] != nil })

        // A second run refuses to overwrite the file.
        let again = try PolypipeCommand.run(["record", "--venue", sim.readyLine, "--out", path, "--duration", "1", "--window", "20s"], timeout: 30)
        #expect(again.status == 2 && again.stderr.contains("exists; choose another --out"), "\(again.stderr)")
    }

    @Test func aBadWindowLengthIsRefused() throws {
        let run = try PolypipeCommand.run(["record", "--out", "/tmp/never.jsonl", "--window", "7m"], timeout: 30)
        #expect(run.status != 0 && run.stderr.contains("'7m' is not a window length"), "\(run.stderr)")
    }
}
}
