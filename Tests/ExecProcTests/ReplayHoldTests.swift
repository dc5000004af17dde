import Foundation
import Testing
import PolypipeCore
import PolypipeTesting
import Upstream
import VenueClient

/// A replay that waits for the stack: `clob-sim --replay FILE --hold` applies the recording's
/// first two seconds and holds its clock until `POST /admin/replay/start`; `polypipe up
/// --replay` releases it once every process is ready and stops by itself when the recording
/// is over — so two runs cover the same records from the same start.
extension ProcessSuites {
@Suite(.serialized) struct ReplayHoldTests {
    static func post(_ base: String, _ target: String) throws -> HTTPResponse {
        try CurlTransport(baseURL: base).send(HTTPRequest(method: "POST", target: target, body: Array("{}".utf8)))
    }

    @Test func aHeldReplayStandsStillUntilStarted() throws {
        let recording = try RecordingReader(path: MirrorStackTests.recording)
        let first = try #require(recording.records.first).receivedAtMillis
        let opening = recording.records.filter { $0.receivedAtMillis <= first + 2_000 }.count
        let sim = try ProcessHarness.start("clob-sim", ["serve", "--port", "0", "--replay", MirrorStackTests.recording, "--speed", "4", "--hold"],
                                           readyPrefix: "listening on ")
        defer { sim.kill() }
        // The opening records are applied at once; then nothing moves.
        var state = try MirrorProcessTests.get(sim.readyLine, "/admin/state")
        let deadline = Date().addingTimeInterval(10)
        while state["replay"]?["applied"]?.scalarText != String(opening), Date() < deadline {
            usleep(50_000)
            state = try MirrorProcessTests.get(sim.readyLine, "/admin/state")
        }
        #expect(state["replay"]?["held"] == .bool(true) && state["replay"]?["applied"]?.scalarText == String(opening), "\(state)")
        #expect(state["now_ms"]?.scalarText == String(first + 2_000), "the clock stands at the end of the opening: \(state)")
        usleep(400_000)
        let still = try MirrorProcessTests.get(sim.readyLine, "/admin/state")
        #expect(still["now_ms"] == state["now_ms"] && still["replay"]?["applied"] == state["replay"]?["applied"], "\(still)")
        // The opening window is already listed, so a stack can discover it while held.
        let window = try #require(recording.records.first { $0.kind == .window }).key
        let events = try MirrorProcessTests.get(sim.readyLine, "/events?slug=\(window)")
        guard case .array(let listed) = events else { Issue.record("no events list: \(events)"); return }
        #expect(listed.count == 1)

        let started = try Self.post(sim.readyLine, "/admin/replay/start")
        #expect(started.status == 200 && String(decoding: started.body, as: UTF8.self).contains("\"started\":true"))
        usleep(500_000)
        let running = try MirrorProcessTests.get(sim.readyLine, "/admin/state")
        let now = Int64(running["now_ms"]?.scalarText ?? "") ?? 0
        #expect(now > first + 2_000 + 1_000, "the clock runs on at 4x: \(running)")
        #expect((Int(running["replay"]?["applied"]?.scalarText ?? "") ?? 0) > opening, "\(running)")
        let again = try Self.post(sim.readyLine, "/admin/replay/start")
        #expect(String(decoding: again.body, as: UTF8.self).contains("\"started\":false"))
    }

    /// The first 40 seconds of the shipped recording at 4x: `up` runs without --duration and
    /// stops by itself once clob-sim has played the last record.
    @Test func upStopsByItselfWhenTheRecordingEnds() throws {
        let lines = try String(contentsOfFile: MirrorStackTests.recording, encoding: .utf8).split(separator: "\n")
        let first = try #require(RecordingReader(path: MirrorStackTests.recording).records.first).receivedAtMillis
        let kept = try lines.dropFirst().filter { try UpstreamRecord(line: String($0)).receivedAtMillis < first + 40_000 }
        let path = NSTemporaryDirectory() + "replay-40s-\(UUID().uuidString.prefix(8)).jsonl"
        defer { try? FileManager.default.removeItem(atPath: path) }
        try ([String(lines[0])] + kept.map(String.init)).joined(separator: "\n").appending("\n").write(toFile: path, atomically: true, encoding: .utf8)

        let started = Date()
        let run = try PolypipeCommand.run(["up", "--replay", path, "--window", "20s", "--speed", "4"], timeout: 120)
        let took = Date().timeIntervalSince(started)
        #expect(run.status == 0, "\(run.stderr.suffix(3_000))")
        #expect(run.stderr.contains("replay started") && run.stderr.contains("the run is over; stopping the stack"), "\(run.stderr.suffix(2_000))")
        #expect(run.stdout.contains("state             in sync"), "the end-of-run report was printed: \(run.stdout)")
        #expect(took < 60, "10 s of replay plus start and stop, not a hang: \(took) s")
    }
}
}
