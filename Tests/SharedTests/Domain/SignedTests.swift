import Testing
import PolypipeCore

@Suite struct SignedTests {
    @Test func signedAmountsPrintExactlyWithTheirSign() {
        #expect(Signed<Collateral>(micros: 1_250_000).signedText(minimumDecimals: 6) == "+1.250000")
        #expect(Signed<Collateral>(micros: -500_000).signedText(minimumDecimals: 2) == "-0.50")
        #expect(Signed<Collateral>.zero.signedText(minimumDecimals: 2) == "+0.00")
        #expect(Signed<Shares>(micros: -2_000_000).description == "-2" && Signed<Shares>(micros: 9_000).description == "0.009")
        #expect((Signed(Shares(micros: 3)) - Signed(Shares(micros: 5))).magnitude == Shares(micros: 2))
    }

    @Test func paddingNeverRoundsAwayDigits() {
        #expect(MicroUnits.format(10_000_000, minimumDecimals: 2) == "10.00")
        #expect(MicroUnits.format(520_000, minimumDecimals: 2) == "0.52")
        #expect(MicroUnits.format(9_000, minimumDecimals: 2) == "0.009")
        #expect(MicroUnits.format(123_456, minimumDecimals: 4) == "0.123456")
        #expect(MicroUnits.format(3_000, minimumDecimals: 4) == "0.0030")
        #expect(MicroUnits.format(7, minimumDecimals: 0) == "0.000007")
    }
}
