import Foundation
import PolypipeTesting
import Testing
import Bus
import Fills
import PolypipeCore
import VenueClient

/// fill-proc as a real process next to clob-sim and exec-proc: it follows exec-proc's orders,
/// reads the venue with the read-only key exec-proc wrote, and its fills survive `kill -9`
/// without being counted twice.
extension ProcessSuites {
@Suite(.serialized) struct FillProcTests {
    /// exec-proc writing the read-only credential; the sim settling 5× faster than real time.
    static func stack(sim: [String] = ["--time-scale", "5"]) throws -> ExecStack {
        let stack = try ExecStack(simArguments: sim, execArguments: [])
        stack.execArguments = ["--readonly-credentials-out", stack.runtime + "/readonly.json"]
        stack.killExec()
        try stack.startExec()
        return stack
    }

    /// fill-proc polling every 200 ms (its stderr appended to the runtime's fill-stderr.log).
    static func startFillProc(_ stack: ExecStack, userChannel: Bool = false, extra: [String] = []) throws -> Process {
        try ProcessHarness.start("fill-proc", ["--venue", stack.simURL, "--runtime-dir", stack.runtime, "--credentials", stack.runtime + "/readonly.json",
                                               "--poll-interval-ms", "200"] + extra
                                     + (userChannel ? ["--user-channel", stack.simURL.replacingOccurrences(of: "http://", with: "ws://") + "/ws/user"] : []),
                                 stderrPath: stack.runtime + "/fill-stderr.log").process
    }

    static func state(_ stack: ExecStack) throws -> Polypipe_Bus_V1_FillState {
        try RequestClient(context: stack.context, endpoint: stack.layout.fillSnapshot)
            .call(Polypipe_Bus_V1_SnapshotRequest(), expecting: Polypipe_Bus_V1_FillState.self, timeoutMilliseconds: 2_000)
    }

    /// Waits (up to 15 s) until fill-proc's state satisfies `done`.
    static func waitFor(_ stack: ExecStack, _ what: String, _ done: (Polypipe_Bus_V1_FillState) -> Bool) throws -> Polypipe_Bus_V1_FillState {
        let deadline = Date().addingTimeInterval(15)
        var last: Polypipe_Bus_V1_FillState?
        while Date() < deadline {
            if let state = try? state(stack) {
                last = state
                if done(state) { return state }
            }
            usleep(100_000)
        }
        throw ExecStack.StackError("fill-proc never reached: \(what); last state: \(last.map { "\($0.fills.count) fills, \($0.orders.count) orders" } ?? "none")")
    }

    /// Marketable BUYs (at the maker's 0.50 ask): each fills at once, 5 shares.
    static func buy(_ stack: ExecStack, _ ids: [String], window: (market: String, token: String, other: String)) throws {
        for id in ids {
            try stack.send(ExecStack.action(id: id, market: window.market, token: window.token, price: 500_000))
            let event = try stack.event(for: id)
            #expect(event.outcome == .accepted && event.venueStatus == "matched", "\(id): \(event.outcome) \(event.reason)")
        }
    }

    @Test func fillsAreCountedOnceAcrossAKillNineOfFillProcAndMatchTheVenue() throws {
        let stack = try Self.stack()
        let window = try stack.currentWindow()
        var fill = try Self.startFillProc(stack)
        defer { if fill.isRunning { kill(fill.processIdentifier, SIGKILL); fill.waitUntilExit() } }

        try Self.buy(stack, ["f1", "f2", "f3"], window: window)
        _ = try Self.waitFor(stack, "3 fills") { $0.fills.count == 3 }

        kill(fill.processIdentifier, SIGKILL)
        fill.waitUntilExit()
        try Self.buy(stack, ["f4", "f5"], window: window)  // while fill-proc is down
        fill = try Self.startFillProc(stack)

        // Every fill once, settled, and the position what the venue holds.
        let state = try Self.waitFor(stack, "5 confirmed fills") { state in
            state.fills.count == 5 && state.fills.allSatisfy { $0.settlement == .confirmed }
        }
        #expect(Set(state.fills.map(\.tradeID)).count == 5)
        #expect(Set(state.fills.map(\.actionID)) == ["f1", "f2", "f3", "f4", "f5"])
        let position = try #require(state.positions.first { $0.tokenID == window.token })
        #expect(position.sizeMicros == 25_000_000 && position.confirmedSizeMicros == 25_000_000)
        #expect(position.averagePriceMicros == 500_000)
        let balance = try stack.client().balanceAllowance(.conditional, tokenID: try TokenID(decimal: window.token), signatureType: .eoa)
        #expect(balance.balance.uint64Value == 25_000_000, "fill-proc's position is the venue's")
        #expect(state.orders.count == 5 && state.orders.allSatisfy { $0.state == .filled })
        // Statistics: five orders, all filled, latency measured, no slippage against 0.50.
        let stats = try JSONDecoder().decode(ExecutionStats.self, from: Data(state.statsJson.utf8))
        #expect(stats.orders == 5 && stats.fills == 5 && stats.fillRateBasisPoints == 10_000)
        #expect(stats.latency?.count == 5 && stats.slippage?.averageMicros == 0)
        // Matched on arrival: latency is bounded by exec-proc's answer time (milliseconds), not
        // the venue's match_time (whole seconds, on a sim clock running 5x ahead here).
        #expect((stats.latency?.p99Millis ?? .max) < 500, "\(String(describing: stats.latency))")
    }

    /// Also fill-proc's `/metrics`: both fills counted, the void too.
    @Test func aGhostFillIsVoidedAndThePositionGoesBack() throws {
        let stack = try Self.stack()
        let window = try stack.currentWindow()
        let fill = try Self.startFillProc(stack, userChannel: true, extra: ["--metrics-address", "127.0.0.1:0"])
        defer { kill(fill.processIdentifier, SIGKILL); fill.waitUntilExit() }

        try Self.buy(stack, ["g1"], window: window)
        _ = try Self.waitFor(stack, "g1 confirmed") { $0.fills.count == 1 && $0.fills[0].settlement == .confirmed }
        // Every trade from now on fails on chain (MATCHED -> RETRYING -> FAILED).
        try stack.post("/admin/faults", #"{"ghost_fill_ppm": 1000000}"#)
        try Self.buy(stack, ["g2"], window: window)
        let state = try Self.waitFor(stack, "g2 voided") { state in state.fills.contains { $0.actionID == "g2" && $0.settlement == .failed } }

        let position = try #require(state.positions.first { $0.tokenID == window.token })
        #expect(position.sizeMicros == 5_000_000, "the voided fill no longer counts")
        #expect(position.averagePriceMicros == 500_000)
        #expect(state.counters.voided == 1)
        #expect(state.orders.first { $0.actionID == "g2" }?.matchedMicros == 0)
        let stats = try JSONDecoder().decode(ExecutionStats.self, from: Data(state.statsJson.utf8))
        #expect(stats.fills == 1 && stats.voidedFills == 1)

        let log = try String(contentsOfFile: stack.runtime + "/fill-stderr.log", encoding: .utf8)
        let url = try #require(log.split(separator: " ").first { $0.hasPrefix("metrics.url=") }).dropFirst("metrics.url=".count)
        usleep(1_200_000)  // the next publish carries the latest totals
        let text = String(decoding: try CurlTransport(baseURL: String(url.dropLast("/metrics".count)))
            .send(HTTPRequest(method: "GET", target: "/metrics")).body, as: UTF8.self)
        #expect(text.contains(#"polypipe_fills_total{side="buy"} 2"#) && text.contains("polypipe_voided_fills_total 1"), "\(text)")
        #expect(text.contains("polypipe_positions 1"), "\(text)")
        #expect(text.contains(#"polypipe_fill_latency_seconds_count{stage="first_fill"} 2"#), "each new fill's latency: \(text)")
        #expect(text.contains(#"polypipe_fill_latency_seconds_count{stage="confirmed"} 1"#), "g1 confirmed, g2 failed: \(text)")
    }
}
}
