@testable import polypipe
import Testing
import Bus

/// Exact money and duration formatting of the control commands' readable output.
@Suite struct ControlReplyTextTests {
    @Test(arguments: [
        (UInt64(0), "$0.00"), (1, "$0.000001"), (100_000, "$0.10"), (5_000_000, "$5.00"),
        (12_345_678, "$12.345678"), (1_000_000_010, "$1000.00001"), (UInt64.max, "$18446744073709.551615"),
    ])
    func dollarsAreExactFromMicroUnits(micros: UInt64, text: String) {
        #expect(ControlReplyText.dollars(micros: micros) == text)
    }

    @Test func signedDollarsShowALoss() {
        #expect(ControlReplyText.signedDollars(micros: -87_500) == "-$0.0875")
        #expect(ControlReplyText.signedDollars(micros: 0) == "$0.00")
        #expect(ControlReplyText.signedDollars(micros: Int64.min) == "-$9223372036854.775808")
    }

    /// The kill switch and today's realized P&L are in `polypipe status`, readable and JSON.
    @Test func statusShowsTheKillSwitchAndTheDailyPnL() {
        var reply = Polypipe_Bus_V1_ControlReply()
        reply.ok = true
        reply.status.dailyRealizedPnlMicros = -87_500
        reply.status.haltCancelsOrders = true
        reply.status.ordersCanceled = 3
        let human = ControlReplyText.human(reply, command: "status", nowMillis: 0)
        #expect(human.contains("-$0.0875 realized today"), "\(human)")
        #expect(human.contains("on: a halt cancels our resting orders; 3 canceled so far"), "\(human)")
        let json = ControlReplyText.json(reply, command: "status")
        #expect(json.contains(#""daily_realized_pnl_micros":-87500"#) && json.contains(#""daily_realized_pnl":"-0.0875""#), "\(json)")
        #expect(json.contains(#""halt_cancels_orders":true"#) && json.contains(#""orders_canceled":3"#), "\(json)")
    }

    @Test func uptimeReadsAsDaysHoursMinutesSeconds() {
        #expect(ControlReplyText.uptime(milliseconds: 7_999) == "7s")
        #expect(ControlReplyText.uptime(milliseconds: 245_000) == "4m 05s")
        #expect(ControlReplyText.uptime(milliseconds: 3_723_000) == "1h 02m 03s")
        #expect(ControlReplyText.uptime(milliseconds: 273_906_000) == "3d 04h 05m 06s")
    }
}
