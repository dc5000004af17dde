import Foundation
import Testing
import PolypipeCore
import PolypipeTesting
import VenueClient

/// Paper on an upstream's real books: `polypipe up --mirror URL` against another clob-sim (the
/// upstream). The whole stack runs unchanged against the mirror; our orders fill there, at the
/// upstream's prices with the market's fees, and not one of them reaches the upstream.
extension ProcessSuites {
@Suite(.serialized) struct MirrorStackTests {
    @Test func aShadowStackFillsLocallyAndSendsNothingUpstream() throws {
        let upstream = try ProcessHarness.start("clob-sim", ["serve", "--port", "0", "--seed", "21", "--windows", "20s"], readyPrefix: "listening on ")
        defer { upstream.kill() }
        let run = try PolypipeCommand.run(["up", "--mirror", upstream.readyLine, "--window", "20s", "--duration", "45", "--seed", "3"])
        #expect(run.status == 0, "\(run.stderr.suffix(3_000))")
        let out = run.stdout
        // The end-of-run report: orders placed and filled against the mirrored books, fees paid.
        let fills = out.split(separator: "\n").first { $0.contains("fills ") }.flatMap { line in
            line.split(separator: " ").compactMap { Int($0) }.first
        }
        #expect((fills ?? 0) > 0, "no fills in the shadow run:\n\(out)")
        #expect(out.contains("state             in sync"), "\(out)")
        #expect(!out.contains("fees paid         0.000000"), "the crypto windows' taker fee applies on the mirror: \(out)")
        // The upstream never saw one of our orders.
        let answer = try CurlTransport(baseURL: upstream.readyLine).send(HTTPRequest(method: "GET", target: "/admin/state"))
        let state = try JSONParser.parse(answer.body)
        #expect(state["client_orders"] == .number("0") && state["post_order_requests"] == .number("0"), "\(state)")
        #expect(run.stderr.contains("[clob-sim]"), "the mirror ran as the stack's clob-sim")
    }

    /// The shipped recording, three minutes of clob-sim's 20-second windows.
    static let recording = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("recordings/clob-sim-3m.jsonl").path

    /// The README's replay demo: the stack trades over the recording, served on its own clock.
    /// Also records the stack's own bus (`--record-bus`): the file holds the run's actions,
    /// order events and every fill the statistics count.
    @Test func theShippedRecordingReplaysUnderTheWholeStack() throws {
        let busPath = NSTemporaryDirectory() + "bus-\(UUID().uuidString.prefix(8)).jsonl"
        defer { try? FileManager.default.removeItem(atPath: busPath) }
        let run = try PolypipeCommand.run(["up", "--replay", Self.recording, "--window", "20s", "--duration", "40", "--record-bus", busPath])
        #expect(run.status == 0, "\(run.stderr.suffix(3_000))")
        let fills = run.stdout.split(separator: "\n").first { $0.contains("fills ") }.flatMap { line in
            line.split(separator: " ").compactMap { Int($0) }.first
        }
        #expect((fills ?? 0) > 0, "no fills over the replay:\n\(run.stdout)")
        #expect(run.stdout.contains("state             in sync"), "\(run.stdout)")
        #expect(!run.stderr.contains("stale timestamp"), "signatures are judged on the wall clock, not the replay's")

        #expect(run.stdout.contains("recorded ") && run.stdout.contains("bus messages"), "\(run.stdout)")
        // The end-of-run report times each stage from exec-proc's order events and fill-proc's fills.
        #expect(run.stdout.contains("Latency per stage (p50 / p95 / p99)") && run.stdout.contains("  received    n "), "\(run.stdout)")
        let lines = try String(contentsOfFile: busPath, encoding: .utf8).split(separator: "\n").dropFirst().map { try JSONParser.parse(String($0)) }
        func data(_ topic: String) -> [JSONValue] { lines.filter { $0["topic"]?.scalarText == topic }.compactMap { $0["data"] } }
        let trades = Set(data("fill").compactMap { $0["tradeId"]?.scalarText })
        #expect(trades.count == fills, "each fill fill-proc counted is on the recorded bus: \(trades.count) vs \(fills ?? -1)")
        let actions = Set(data("action").compactMap { $0["id"]?.scalarText })
        let orders = data("order")
        #expect(!orders.isEmpty && orders.allSatisfy { actions.contains($0["actionId"]?.scalarText ?? "") },
                "every order event answers an action signal-proc published")
        #expect(!data("status").isEmpty && !data("position").isEmpty && !data("recon").isEmpty)
    }

    @Test func aReplayOfWindowsTheRecordingDoesNotHoldIsRefused() throws {
        let run = try PolypipeCommand.run(["up", "--replay", Self.recording, "--window", "5m"], timeout: 30)
        #expect(run.status != 0)
        #expect(run.stderr.contains("holds 20s windows; pass --window with one of them"), "\(run.stderr)")
        // Polymarket lists no 20-second windows: refused before anything starts (no network).
        let production = try PolypipeCommand.run(["up", "--mirror", "polymarket"], timeout: 30)
        #expect(production.status != 0)
        #expect(production.stderr.contains("Polymarket lists no 20s windows"), "\(production.stderr)")
    }
}
}
