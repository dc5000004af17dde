import Foundation
import PolypipeTesting
import Testing
import Bus
import PolypipeCore
import VenueClient

/// recon-proc as a real process beside clob-sim, exec-proc and fill-proc, with short cycles and
/// a short grace period: in sync while trading normally; an order signed with our key that the
/// journal never saw is an orphan and halts exec-proc (★REC-05); a ghost fill raises one
/// ghost_fill alarm naming the trade (★SET-02).
extension ProcessSuites {
@Suite(.serialized) struct ReconProcTests {
    static func startReconProc(_ stack: ExecStack, extra: [String] = []) throws -> Process {
        try ProcessHarness.start("recon-proc", ["--venue", stack.simURL, "--runtime-dir", stack.runtime, "--credentials", stack.runtime + "/readonly.json",
                                                "--cycle-ms", "300", "--grace-ms", "1500", "--stale-after-ms", "10000"] + extra,
                                 stderrPath: stack.runtime + "/recon-stderr.log").process
    }

    static func report(_ stack: ExecStack) throws -> Polypipe_Bus_V1_ReconReport {
        try RequestClient(context: stack.context, endpoint: stack.layout.reconSnapshot)
            .call(Polypipe_Bus_V1_SnapshotRequest(), expecting: Polypipe_Bus_V1_ReconReport.self, timeoutMilliseconds: 5_000)
    }

    static func waitForReport(_ stack: ExecStack, _ what: String, seconds: Double = 20,
                              _ done: (Polypipe_Bus_V1_ReconReport) -> Bool) throws -> Polypipe_Bus_V1_ReconReport {
        let deadline = Date().addingTimeInterval(seconds)
        var last: Polypipe_Bus_V1_ReconReport?
        while Date() < deadline {
            if let report = try? report(stack) {
                last = report
                if done(report) { return report }
            }
            usleep(200_000)
        }
        throw ExecStack.StackError("recon-proc never reported: \(what); last: \(last.map { "\($0.active.map { "\($0.kind) \($0.subject)" })" } ?? "none")")
    }

    @Test func normalTradingStaysInSyncAndAnOrphanOrderHaltsExecProc() throws {
        let stack = try FillProcTests.stack()
        let window = try stack.currentWindow()
        let fill = try FillProcTests.startFillProc(stack)
        defer { kill(fill.processIdentifier, SIGKILL); fill.waitUntilExit() }
        let recon = try Self.startReconProc(stack)
        defer { kill(recon.processIdentifier, SIGKILL); recon.waitUntilExit() }

        // A filled order and a resting one: both explained.
        try FillProcTests.buy(stack, ["n1"], window: window)
        try stack.send(ExecStack.action(id: "n2", market: window.market, token: window.token, price: 300_000))
        #expect(try stack.event(for: "n2").outcome == .accepted)
        _ = try FillProcTests.waitFor(stack, "n1 confirmed") { $0.fills.contains { $0.actionID == "n1" && $0.settlement == .confirmed } }
        usleep(2_000_000)  // past the grace period
        let calm = try Self.waitForReport(stack, "in sync after trading") { $0.inSync && $0.positionsCompared >= 1 }
        #expect(calm.alarmsRaised == 0)

        // Someone signs an order with our key outside exec-proc: the journal does not know it.
        let client = try stack.client()
        let builder = OrderBuilder(signer: OrderSigner(key: ExecStack.key, chain: .polygon), signatureType: .eoa, funder: nil)
        let built = try builder.build(.limit(price: try Price("0.20"), size: try Shares("5")), side: .buy, tokenID: try TokenID(decimal: window.token), tick: .hundredth,
                                      exchange: .ctfV2, salt: Order.randomSalt(), timestamp: UInt256(UInt64(BusClock.nowMillis())))
        let credentials = try ClobClient(transport: try CurlTransport(baseURL: stack.simURL), chain: .polygon).deriveApiKey(signingWith: ExecStack.key)
        guard case .accepted = client.postOrder(body: OrderPayload.bodyBytes(built.signed, owner: credentials.apiKey, orderType: .gtc,
                                                                             deferExec: false, postOnly: false)) else {
            Issue.record("the foreign order was not placed"); return
        }
        let alarmed = try Self.waitForReport(stack, "orphan_order") { report in report.active.contains { $0.kind == "orphan_order" } }
        let orphan = try #require(alarmed.active.first { $0.kind == "orphan_order" })
        #expect(orphan.subject == built.signed.orderID.lowercased())
        #expect(orphan.severity == .critical)
        // The auto kill switch: exec-proc is halted with recon-proc's reason, and refuses new orders.
        var status = try stack.control(.status).status
        for _ in 0..<20 where status.state != .halted {
            usleep(200_000)
            status = try stack.control(.status).status
        }
        #expect(status.state == .halted)
        #expect(status.stateReason.contains("orphan_order"))
        // The kill switch: recon-proc's halt cancelled every resting order of ours (n2 and the orphan).
        var open = try stack.client().openOrders()
        for _ in 0..<20 where !open.isEmpty {
            usleep(200_000)
            open = try stack.client().openOrders()
        }
        #expect(open.isEmpty, "the sim holds none of our orders after recon-proc's halt")
        #expect(try stack.control(.status).status.ordersCanceled >= 2)
        try stack.send(ExecStack.action(id: "n3", market: window.market, token: window.token, price: 500_000))
        #expect(try stack.event(for: "n3").outcome == .refused)
    }

    @Test func aGhostFillRaisesOneGhostFillAlarmNamingTheTrade() throws {
        let stack = try FillProcTests.stack()
        let window = try stack.currentWindow()
        let fill = try FillProcTests.startFillProc(stack)
        defer { kill(fill.processIdentifier, SIGKILL); fill.waitUntilExit() }
        let recon = try Self.startReconProc(stack, extra: ["--halt-at", "never"])
        defer { kill(recon.processIdentifier, SIGKILL); recon.waitUntilExit() }

        try stack.post("/admin/faults", #"{"ghost_fill_ppm": 1000000}"#)
        try FillProcTests.buy(stack, ["gh1"], window: window)
        let voided = try FillProcTests.waitFor(stack, "gh1 voided") { $0.fills.contains { $0.actionID == "gh1" && $0.settlement == .failed } }
        let trade = try #require(voided.fills.first { $0.actionID == "gh1" }).tradeID

        let report = try Self.waitForReport(stack, "ghost_fill") { $0.active.contains { $0.kind == "ghost_fill" } }
        let ghosts = report.active.filter { $0.kind == "ghost_fill" }
        #expect(ghosts.count == 1)
        #expect(ghosts.first?.detail.contains(trade) == true, "\(ghosts.first?.detail ?? "")")
        #expect(!report.active.contains { $0.kind == "position_mismatch" }, "a ghost fill, not a generic drift alarm")
        #expect(try stack.control(.status).status.state == .running, "--halt-at never")
        // Later cycles keep the one alarm (one raise per episode).
        usleep(1_500_000)
        #expect(try Self.report(stack).alarmsRaised == report.alarmsRaised)
    }

    /// Operator alerts from exec-proc's status: a halt (with its cause) and a venue-heartbeat
    /// lapse and return each reach recon-proc's webhook once.
    @Test func haltsAndHeartbeatLapsesReachTheWebhookOnce() throws {
        let server = try ScriptedHTTPServer { _ in .respond(status: 200, body: "ok") }
        defer { server.stop() }
        let stack = try FillProcTests.stack(sim: [])
        let recon = try Self.startReconProc(stack, extra: ["--webhook", server.baseURL + "/alerts", "--halt-at", "never"])
        defer { kill(recon.processIdentifier, SIGKILL); recon.waitUntilExit() }
        func alerts(_ kind: String) -> Int {
            server.requests.filter { (try? JSONParser.parse($0.body))?["alert"]?["kind"]?.scalarText == kind }.count
        }
        func wait(for kind: String) -> Bool {
            let deadline = Date().addingTimeInterval(15)
            while alerts(kind) == 0 && Date() < deadline { usleep(100_000) }
            return alerts(kind) > 0
        }
        usleep(1_500_000)  // a first status: the baseline
        _ = try stack.control(.halt, reason: "test: operator halt")
        #expect(wait(for: "exec_halted"), "no halt alert: \(server.requests.map(\.bodyText))")
        let halt = server.requests.compactMap { try? JSONParser.parse($0.body) }.first { $0["alert"]?["kind"]?.scalarText == "exec_halted" }
        #expect(halt?["text"]?.scalarText?.contains("test: operator halt") == true, "the alert names the cause: \(String(describing: halt))")
        // Every venue call fails: heartbeats lapse; then they come back.
        try stack.post("/admin/faults", #"{"server_error_ppm": 1000000}"#)
        #expect(wait(for: "venue_heartbeat_lapsed"))
        try stack.post("/admin/reset-faults", "{}")
        #expect(wait(for: "venue_heartbeat_restored"))
        usleep(2_000_000)
        #expect(alerts("exec_halted") == 1 && alerts("venue_heartbeat_lapsed") == 1, "once each: \(server.requests.map(\.bodyText))")
    }

}
}
