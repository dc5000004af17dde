@testable import polypipe
import Testing

/// The launcher's pure rules: restart windows and readiness lines.
@Suite struct UpRulesTests {
    let policy = RestartPolicy(limit: 2, window: .seconds(60), delay: .seconds(1))

    @Test func restartsUpToTheLimitWithinTheWindowThenGivesUp() {
        var history = RestartHistory()
        let start = ContinuousClock.now
        #expect(history.decide(at: start, policy: policy) == .restart(attempt: 1))
        #expect(history.decide(at: start + .seconds(10), policy: policy) == .restart(attempt: 2))
        #expect(history.decide(at: start + .seconds(20), policy: policy) == .giveUp(restartsInWindow: 2))
    }

    @Test func restartsOlderThanTheWindowNoLongerCount() {
        var history = RestartHistory()
        let start = ContinuousClock.now
        #expect(history.decide(at: start, policy: policy) == .restart(attempt: 1))
        #expect(history.decide(at: start + .seconds(30), policy: policy) == .restart(attempt: 2))
        #expect(history.decide(at: start + .seconds(61), policy: policy) == .restart(attempt: 2))
    }

    @Test func zeroLimitNeverRestarts() {
        var history = RestartHistory()
        #expect(history.decide(at: .now, policy: RestartPolicy(limit: 0, window: .seconds(60), delay: .zero)) == .giveUp(restartsInWindow: 0))
    }

    @Test func readinessLinesAreRecognizedExactly() {
        let exec = StackDefinition.children[1], clob = StackDefinition.children[0]
        #expect(exec.readySignal(in: "ready") == .ready)
        #expect(exec.readySignal(in: "ready\r") == .ready)
        #expect(exec.readySignal(in: "not ready") == nil)
        #expect(exec.readySignal(in: "readying") == nil)
        #expect(clob.readySignal(in: "listening on http://127.0.0.1:41234") == .listening(url: "http://127.0.0.1:41234", port: 41_234))
        #expect(clob.readySignal(in: "listening on http://127.0.0.1:0") == nil)
        #expect(clob.readySignal(in: "ready") == nil)
    }

    @Test func stackStartsVenueSignerReadersThenStrategyAndOnlyTheSignerHoldsTheKey() {
        #expect(StackDefinition.names == ["clob-sim", "exec-proc", "fill-proc", "recon-proc", "signal-proc", "dashboard"])
        #expect(StackDefinition.children.filter(\.holdsKey).map(\.name) == ["exec-proc"])
        var context = StackContext(runtimeDirectory: "/tmp/rt", mode: .dryRun, seed: 9, size: "2.5", journal: nil)
        context.venueURL = "http://127.0.0.1:5"
        context.venuePort = 5
        let metrics = ["--metrics-address", "127.0.0.1:0"]
        #expect(StackDefinition.children[0].arguments(context) == ["serve", "--port", "5", "--seed", "9", "--windows", "20s,5m,15m"])
        #expect(StackDefinition.children[1].arguments(context) == ["--mode", "dry-run", "--venue", "http://127.0.0.1:5", "--runtime-dir", "/tmp/rt",
                                                                   "--readonly-credentials-out", "/tmp/rt/readonly-credentials.json"] + metrics)
        #expect(StackDefinition.children[2].arguments(context) == ["--venue", "http://127.0.0.1:5", "--runtime-dir", "/tmp/rt",
                                                                   "--credentials", "/tmp/rt/readonly-credentials.json",
                                                                   "--user-channel", "ws://127.0.0.1:5/ws/user"] + metrics)
        #expect(StackDefinition.children[3].arguments(context) == ["--venue", "http://127.0.0.1:5", "--runtime-dir", "/tmp/rt",
                                                                   "--credentials", "/tmp/rt/readonly-credentials.json"] + metrics)
        #expect(StackDefinition.children[4].arguments(context) == ["--venue", "http://127.0.0.1:5", "--runtime-dir", "/tmp/rt", "--size", "2.5",
                                                                   "--window", "20s"] + metrics + ["--cooldown", "3", "--stop-before-end", "4", "--fee", "0.0175",
                                                                   "--max-slippage", "0.02"])
        // The dashboard: read only (no token), every metrics URL known so far; a restart keeps its port.
        context.metricsURLs = ["fill-proc": "http://127.0.0.1:9103/metrics", "exec-proc": "http://127.0.0.1:9101/metrics"]
        context.dashboardPort = 5050
        #expect(StackDefinition.children[5].arguments(context) == ["dashboard", "--runtime-dir", "/tmp/rt", "--address", "127.0.0.1:5050",
                                                                   "--metrics-url", "http://127.0.0.1:9101/metrics", "--metrics-url", "http://127.0.0.1:9103/metrics"])
        #expect(StackDefinition.children[5].binary == "polypipe" && StackDefinition.children[5].readySignal(in: "dashboard: http://127.0.0.1:5050")
                == .dashboard(url: "http://127.0.0.1:5050", port: 5_050))
        // A restarted exec-proc gets the metrics port it had.
        #expect(StackDefinition.children[1].arguments(context).suffix(2) == ["--metrics-address", "127.0.0.1:9101"])
        context.window = .fiveMinutes
        #expect(StackDefinition.children[0].arguments(context).suffix(2) == ["--windows", "5m,15m"], "the traded length is listed once")
    }
}
