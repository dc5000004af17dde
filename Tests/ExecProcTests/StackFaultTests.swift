import Foundation
import Testing
import Bus
import PolypipeCore
import VenueClient

/// The whole execution side — clob-sim, exec-proc, fill-proc (REST and user channel) and
/// recon-proc — trading through the venue's faults at once: 5xx answers on every kind of
/// request, submits that time out but still place the order, dropped WebSockets and ghost
/// fills. At the end fill-proc's positions equal the venue's balances, and recon-proc's only
/// alarms are ghost fills, each naming a trade the venue reported FAILED.
extension ProcessSuites {
@Suite(.serialized) struct StackFaultTests {
    @Test func tradingThroughFaultsEndsWithTheVenuesPositionsAndOnlyExplainedAlarms() throws {
        let stack = try FillProcTests.stack()
        stack.killExec()
        // Submits withheld 2.5 s time out at 1.5 s (unknown, then resolved by order id).
        try stack.startExec(extra: ["--request-timeout-ms", "1500", "--unknown-grace-ms", "8000"])
        let window = try stack.currentWindow()
        let fill = try FillProcTests.startFillProc(stack, userChannel: true)
        defer { kill(fill.processIdentifier, SIGKILL); fill.waitUntilExit() }
        let recon = try ReconProcTests.startReconProc(stack, extra: ["--halt-at", "never", "--grace-ms", "3000"])
        defer { kill(recon.processIdentifier, SIGKILL); recon.waitUntilExit() }

        try stack.post("/admin/faults", #"{"server_error_ppm": 100000, "timeout_but_placed": 2, "withheld_ms": 2500, "ghost_fill_ppm": 200000}"#)
        // Actions until 6 have traded (at most 30): with a 5xx on one request in ten, some are
        // refused (fail closed: a heartbeat or a book read failed) or never placed, and how many
        // varies with what else the machine runs; each of those outcomes is checked below.
        var outcomes: [String: Polypipe_Bus_V1_Outcome] = [:]
        var index = 0
        while outcomes.values.filter({ $0 == .accepted }).count < 6 && index < 30 {
            defer { index += 1 }
            if index == 6 { try stack.post("/admin/drop-websockets", "{}") }
            let id = "sf-\(index)"
            try stack.send(ExecStack.action(id: id, market: window.market, token: index % 3 == 2 ? window.other : window.token,
                                            price: index % 3 == 2 ? 600_000 : 500_000))
            let first = try stack.event(for: id, timeoutSeconds: 15)
            outcomes[id] = first.outcome
            if first.outcome == .unknown {
                // Resolved by its order id: accepted (placed after all) or canceled (absent).
                let resolved = try stack.event(for: id, after: 1, timeoutSeconds: 20)
                #expect([.accepted, .canceled].contains(resolved.outcome), "\(id): \(resolved.outcome) \(resolved.reason)")
                outcomes[id] = resolved.outcome
            }
            usleep(150_000)
        }
        try stack.post("/admin/reset-faults", "{}")
        let accepted = outcomes.filter { $0.value == .accepted }.count
        #expect(accepted >= 6, "actions trade despite the faults: \(outcomes)")
        #expect(outcomes.values.allSatisfy { [.accepted, .refused, .canceled].contains($0) },
                "every other action was refused before signing or resolved as never placed: \(outcomes)")

        // fill-proc ends where the venue is: every fill settled (CONFIRMED or FAILED), and
        // each position the venue's balance.
        let state = try FillProcTests.waitFor(stack, "every fill settled") { state in
            !state.fills.isEmpty && state.fills.allSatisfy { $0.settlement == .confirmed || $0.settlement == .failed }
                && Set(state.fills.map(\.actionID)).count == accepted
        }
        let client = try stack.client()
        for token in [window.token, window.other] {
            let venue = try client.balanceAllowance(.conditional, tokenID: try TokenID(decimal: token), signatureType: .eoa).balance.uint64Value ?? 0
            let ours = state.positions.first { $0.tokenID == token }?.sizeMicros ?? 0
            #expect(UInt64(max(0, ours)) == venue, "token …\(token.suffix(6)): fill-proc \(ours), venue \(venue)")
        }

        // recon-proc: past the grace period, nothing unexplained.
        usleep(3_000_000)
        let failedTrades = Set(state.fills.filter { $0.settlement == .failed }.map(\.tradeID))
        // Each position that lost fills has one ghost_fill alarm; nothing else is active.
        let ghostPositions = Set(state.fills.filter { $0.settlement == .failed }.map { "\($0.market)/\($0.tokenID)" })
        let report = try ReconProcTests.waitForReport(stack, "a ghost_fill alarm per position with a FAILED fill, nothing else") { report in
            report.active.allSatisfy { $0.kind == "ghost_fill" } && Set(report.active.map(\.subject)) == ghostPositions
        }
        for alarm in report.active {
            #expect(failedTrades.contains { alarm.detail.contains($0) }, "\(alarm.kind) \(alarm.subject): \(alarm.detail)")
        }

        // ★KEY-03: through all those error paths, no process logged a secret — the key, or the
        // read-only API secret and passphrase fill-proc and recon-proc use. (Booleans only: a
        // failure never prints the secret.)
        let readOnly = try VenueCredentialsFile(path: stack.runtime + "/readonly.json").credentials
        let secrets = [String(ExecStack.keyHex.dropFirst(2)), readOnly.secret.lowercased(), readOnly.passphrase.lowercased()]
        for name in ["exec-stderr.log", "fill-stderr.log", "recon-stderr.log"] {
            let log = ((try? String(contentsOfFile: stack.runtime + "/" + name, encoding: .utf8)) ?? "").lowercased()
            #expect(log.contains("ready"), "\(name) is the process's log")
            let leaked = secrets.filter { log.contains($0) }.count
            #expect(leaked == 0, "\(name) holds \(leaked) secret(s)")
        }
    }
}
}
