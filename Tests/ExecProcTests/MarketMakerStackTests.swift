import Foundation
import PolypipeTesting
import Testing
import Bus
import PolypipeCore

/// The market maker as it runs: clob-sim (20-second windows), exec-proc, fill-proc, recon-proc
/// and signal-proc `--strategy market-maker`, for `POLYPIPE_MM_RUN_SECONDS` (default 90), and
/// for five minutes with venue faults (`POLYPIPE_MM_FAULTS_RUN_SECONDS`). It must quote, replace
/// and cancel — pulling every quote before each window ends — while exec-proc never halts (no
/// critical alarm) and recon-proc ends in sync with no alarm active.
extension ProcessSuites {
@Suite(.serialized) struct MarketMakerStackTests {
    static var runSeconds: Int {
        ProcessInfo.processInfo.environment["POLYPIPE_MM_RUN_SECONDS"].flatMap(Int.init) ?? 90
    }

    static var faultsRunSeconds: Int {
        ProcessInfo.processInfo.environment["POLYPIPE_MM_FAULTS_RUN_SECONDS"].flatMap(Int.init) ?? 300
    }

    @Test func theMarketMakerRunsAndReconStaysInSync() throws {
        try run(faults: nil, seconds: Self.runSeconds)
    }

    /// 5xx on one request in fifty (`POLYPIPE_MM_FAULTS` replaces it), 20 ms on every answer,
    /// and every 30 s an order placed whose answer is withheld past exec-proc's timeout.
    /// Before recon-proc judged only reads no older than what they are compared with, a failed
    /// venue read made resting quotes count in full (position_mismatch) and an order that had
    /// just filled look orphaned; either halted exec-proc within minutes.
    @Test func theMarketMakerRunsWithFaultsAndReconStaysInSync() throws {
        try run(faults: ProcessInfo.processInfo.environment["POLYPIPE_MM_FAULTS"] ?? #"{"server_error_ppm": 20000, "latency_ms": 20}"#,
                seconds: Self.faultsRunSeconds)
    }

    func run(faults: String?, seconds: Int) throws {
        // No --time-scale: a sim clock running faster than ours makes L2 timestamps "stale"
        // (401) after a minute or so.
        let stack = try FillProcTests.stack(sim: ["--windows", "20s,5m,15m"])
        let fill = try FillProcTests.startFillProc(stack)
        defer { kill(fill.processIdentifier, SIGKILL); fill.waitUntilExit() }
        let recon = try ReconProcTests.startReconProc(stack)
        defer { kill(recon.processIdentifier, SIGKILL); recon.waitUntilExit() }
        let signalLog = stack.runtime + "/signal-stderr.log"
        let signal = try ProcessHarness.start("signal-proc", [
            "--venue", stack.simURL, "--runtime-dir", stack.runtime, "--strategy", "market-maker", "--window", "20s", "--size", "5",
            "--mm-pull-before-end", "4", "--mm-min-interval-ms", "1000", "--mm-requote", "0.01",
        ], stderrPath: signalLog)
        defer { signal.kill() }
        defer {
            // POLYPIPE_KEEP_LOGS=PREFIX keeps the processes' logs (the runtime directory goes).
            if let keep = ProcessInfo.processInfo.environment["POLYPIPE_KEEP_LOGS"] {
                for name in ["signal-stderr.log", "fill-stderr.log", "recon-stderr.log", "exec-stderr.log"] {
                    try? FileManager.default.copyItem(atPath: stack.runtime + "/" + name, toPath: keep + "-" + name)
                }
            }
        }

        usleep(5_000_000)
        if let faults { try stack.post("/admin/faults", faults) }
        var halted: [String] = []
        for second in 0..<max(1, seconds - 15) {
            usleep(1_000_000)
            if faults != nil, second % 30 == 29 { try stack.post("/admin/faults", #"{"timeout_but_placed": 1}"#) }
            if let status = try? stack.control(.status).status, status.state == .halted, halted.last != status.stateReason {
                halted.append(status.stateReason)
            }
        }
        try stack.post("/admin/reset-faults", "{}")
        usleep(5_000_000)
        signal.kill()  // SIGKILL: its quotes stay; each carries a resting lifetime, and the pull below takes them
        _ = try stack.control(.cancelAll, reason: "end of the market-maker run")

        #expect(halted.isEmpty, "exec-proc halted: \(Set(halted))")
        let log = (try? String(contentsOfFile: signalLog, encoding: .utf8)) ?? ""
        let places = log.components(separatedBy: "action sent").count - 1
        let replaces = log.components(separatedBy: "replace sent").count - 1
        let cancels = log.components(separatedBy: "cancel sent").count - 1
        #expect(places >= 10, "quotes placed: \(places)")
        #expect(replaces >= 1, "replaces: \(replaces)")
        #expect(cancels >= max(1, seconds / 40), "cancels (a pull per 20-second window): \(cancels)")

        usleep(2_000_000)  // past recon-proc's grace period
        let report = try ReconProcTests.waitForReport(stack, "in sync after the market-maker run", seconds: 30) { $0.inSync }
        // Warnings may come and go (an order whose answer the sim withholds 2.5 s is "missing"
        // past recon-proc's 1.5 s grace); a critical one would have halted exec-proc (above).
        #expect(report.active.isEmpty, "alarms: \(report.active.map { "\($0.kind) \($0.subject): \($0.detail)" })")
        let state = try FillProcTests.state(stack)
        print("market-maker run: \(seconds) s, \(places) quotes placed, \(replaces) replaces, \(cancels) cancels, "
              + "\(state.fills.count) fills, realized P&L \(state.realizedPnlMicros) micro-pUSD; recon cycles \(report.cycle), alarms raised \(report.alarmsRaised)")
    }
}
}
