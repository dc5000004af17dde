import Testing
import PolypipeCore

@Suite struct FeeScheduleTests {
    static func fee(_ rate: String, _ exponent: String, shares: UInt64, price: UInt64, taker: Bool = true, takerOnly: Bool = true) throws -> UInt64 {
        try FeeSchedule(rate: rate, exponent: exponent, takerOnly: takerOnly).fee(shares: Shares(micros: shares), price: Price(micros: price), isTaker: taker).micros
    }

    @Test func theFormulaIsFlooredToFiveDecimals() throws {
        // 100 × 0.07 × (0.5 × 0.5) = 1.75 exactly.
        #expect(try Self.fee("0.07", "1", shares: 100_000_000, price: 500_000) == 1_750_000)
        // 3 × 0.072 × (0.37 × 0.63) = 0.0503496 → 0.05034.
        #expect(try Self.fee("0.072", "1", shares: 3_000_000, price: 370_000) == 50_340)
        // 3 × 0.072 × 0.2331² = 0.0117364918… → 0.01173 (exponent 2, exact).
        #expect(try Self.fee("0.072", "2", shares: 3_000_000, price: 370_000) == 11_730)
        // Exponent 0: a flat rate per share. 10 × 0.07 = 0.7.
        #expect(try Self.fee("0.07", "0", shares: 10_000_000, price: 900_000) == 700_000)
        // 0.0001 × 0.07 × 0.25 = 0.00000175: below 0.00001, so 0.
        #expect(try Self.fee("0.07", "1", shares: 100, price: 500_000) == 0)
        // Just at and just below one fee step: 0.00001 / (0.07 × 0.25) = 0.000571428… shares.
        #expect(try Self.fee("0.07", "1", shares: 572, price: 500_000) == 10)
        #expect(try Self.fee("0.07", "1", shares: 571, price: 500_000) == 0)
    }

    @Test func makersPayOnlyWhenTheScheduleIsNotTakerOnly() throws {
        #expect(try Self.fee("0.07", "1", shares: 100_000_000, price: 500_000, taker: false) == 0)
        #expect(try Self.fee("0.07", "1", shares: 100_000_000, price: 500_000, taker: false, takerOnly: false) == 1_750_000)
        #expect(FeeSchedule.free.fee(shares: Shares(micros: 100_000_000), price: Price(micros: 500_000), isTaker: true) == Collateral(micros: 0))
    }

    @Test func fractionalExponentsAndImpossibleRatesAreRefused() {
        #expect(throws: FeeSchedule.Invalid.exponent("1.5")) { try FeeSchedule(rate: "0.07", exponent: "1.5", takerOnly: true) }
        #expect(throws: FeeSchedule.Invalid.exponent("9")) { try FeeSchedule(rate: "0.07", exponent: "9", takerOnly: true) }
        #expect(throws: FeeSchedule.Invalid.rate("1.01")) { try FeeSchedule(rate: "1.01", exponent: "1", takerOnly: true) }
        #expect(throws: FeeSchedule.Invalid.rate("seven")) { try FeeSchedule(rate: "seven", exponent: "1", takerOnly: true) }
        #expect((try? FeeSchedule(rate: "0.07", exponent: "1.0", takerOnly: true))?.exponent == 1)
    }

    @Test func largeFillsAndExponentsStayExact() throws {
        // 10 000 000 shares at 0.5 with exponent 8: 10^7 × 0.07 × 0.25^8 = 10.68115234375 → 10.68115.
        #expect(try Self.fee("0.07", "8", shares: 10_000_000_000_000, price: 500_000) == 10_681_150)
        // A rate with 18 decimals: 1000 × 0.000000000000000001 × 0.25 → 0.
        #expect(try Self.fee("0.000000000000000001", "1", shares: 1_000_000_000, price: 500_000) == 0)
    }
}
