import Foundation
import PolypipeTesting
import Testing
import Bus
import PolypipeCore

/// The daily loss limit end to end: clob-sim, exec-proc and fill-proc as real processes.
/// exec-proc follows fill-proc's "position" totals; a taker fee (realized at once, net of fees)
/// past a tiny `daily_loss_limit` halts exec-proc, whose kill switch cancels the resting order.
extension ProcessSuites {
@Suite(.serialized) struct DailyLossStackTests {
    @Test func aRealizedLossPastTheLimitHaltsExecProcAndCancelsWhatRests() throws {
        let stack = try ExecStack(simArguments: ["--time-scale", "5"])
        let limits = stack.runtime + "/limits.json"
        // 5 shares bought at 0.50 as taker pay 5 × 0.07 × 0.25 = 0.0875 pUSD: past 0.05.
        try #"{"max_order_notional": "50", "max_market_exposure": "250", "max_total_exposure": "1000", "max_orders_per_minute": 600, "price_band": "0.15", "daily_loss_limit": "0.05"}"#
            .write(toFile: limits, atomically: true, encoding: .utf8)
        stack.execArguments = ["--readonly-credentials-out", stack.runtime + "/readonly.json", "--limits", limits]
        stack.killExec()
        try stack.startExec()
        let window = try stack.currentWindow(slug: "sim-static-crypto-fees")
        let fill = try FillProcTests.startFillProc(stack)
        defer { kill(fill.processIdentifier, SIGKILL); fill.waitUntilExit() }

        // The day's baseline is fill-proc's first total exec-proc sees: wait for it before trading.
        try Self.waitForLog(stack, "daily P&L baseline set")
        try stack.send(ExecStack.action(id: "d-rest", market: window.market, token: window.token, price: 300_000))
        #expect(try stack.event(for: "d-rest").outcome == .accepted)
        try stack.send(ExecStack.action(id: "d-take", market: window.market, token: window.token, price: 500_000))
        #expect(try stack.event(for: "d-take").outcome == .accepted)

        var status = try stack.control(.status).status
        let deadline = Date().addingTimeInterval(20)
        while status.state != .halted && Date() < deadline {
            usleep(200_000)
            status = try stack.control(.status).status
        }
        #expect(status.state == .halted)
        #expect(status.stateReason.contains("daily loss limit") && status.stateReason.contains("$0.05"), "\(status.stateReason)")
        #expect(status.dailyRealizedPnlMicros <= -50_000, "\(status.dailyRealizedPnlMicros)")
        #expect(try stack.client().openOrders().isEmpty, "the kill switch cancelled the resting BUY")
        #expect(status.ordersCanceled >= 1)
    }

    /// Waits (up to 15 s) for a line of exec-proc's log containing `text`.
    static func waitForLog(_ stack: ExecStack, _ text: String) throws {
        let deadline = Date().addingTimeInterval(15)
        while Date() < deadline {
            if let log = try? String(contentsOfFile: stack.execLog, encoding: .utf8), log.contains(text) { return }
            usleep(100_000)
        }
        throw ExecStack.StackError("exec-proc never logged: \(text)")
    }
}
}
