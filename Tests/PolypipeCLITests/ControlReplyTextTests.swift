@testable import polypipe
import Testing

/// Exact money and duration formatting of the control commands' readable output.
@Suite struct ControlReplyTextTests {
    @Test(arguments: [
        (UInt64(0), "$0.00"), (1, "$0.000001"), (100_000, "$0.10"), (5_000_000, "$5.00"),
        (12_345_678, "$12.345678"), (1_000_000_010, "$1000.00001"), (UInt64.max, "$18446744073709.551615"),
    ])
    func dollarsAreExactFromMicroUnits(micros: UInt64, text: String) {
        #expect(ControlReplyText.dollars(micros: micros) == text)
    }

    @Test func uptimeReadsAsDaysHoursMinutesSeconds() {
        #expect(ControlReplyText.uptime(milliseconds: 7_999) == "7s")
        #expect(ControlReplyText.uptime(milliseconds: 245_000) == "4m 05s")
        #expect(ControlReplyText.uptime(milliseconds: 3_723_000) == "1h 02m 03s")
        #expect(ControlReplyText.uptime(milliseconds: 273_906_000) == "3d 04h 05m 06s")
    }
}
