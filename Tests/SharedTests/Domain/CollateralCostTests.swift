import Testing
import PolypipeCore

/// `Collateral.cost(of:at:rounding:)`: exact on whole micro-units, rounding named on the rest.
@Suite struct CollateralCostTests {
    @Test func oneMicroShareAtOneMicroRoundsToZeroOrOne() {
        let shares = Shares(micros: 1), price = Price(micros: 1)
        #expect(Collateral.cost(of: shares, at: price, rounding: .down) == Collateral(micros: 0))
        #expect(Collateral.cost(of: shares, at: price, rounding: .up) == Collateral(micros: 1))
    }

    @Test func exactProductsDoNotRound() throws {
        let shares = try Shares("10"), price = try Price("0.57")
        #expect(Collateral.cost(of: shares, at: price, rounding: .down) == (try Collateral("5.7")))
        #expect(Collateral.cost(of: shares, at: price, rounding: .up) == (try Collateral("5.7")))
        #expect(Collateral.cost(of: Shares(micros: 2_000_000), at: Price(micros: 500_000), rounding: .up).micros == 1_000_000)
    }

    @Test func aRemainderOfOneMicroTwelveDecimalsRoundsUpByOneMicro() {
        // 1.000001 shares × 0.5 = 0.5000005 → 0.500000 down, 0.500001 up.
        let shares = Shares(micros: 1_000_001), price = Price(micros: 500_000)
        #expect(Collateral.cost(of: shares, at: price, rounding: .down).micros == 500_000)
        #expect(Collateral.cost(of: shares, at: price, rounding: .up).micros == 500_001)
        // Just below a whole micro: 999 999 × 1 micro = 0.999999 micro.
        #expect(Collateral.cost(of: Shares(micros: 999_999), at: Price(micros: 1), rounding: .down).micros == 0)
        #expect(Collateral.cost(of: Shares(micros: 999_999), at: Price(micros: 1), rounding: .up).micros == 1)
    }

    @Test func zeroCostsNothing() {
        #expect(Collateral.cost(of: Shares(micros: 0), at: Price(micros: 999_999), rounding: .up).micros == 0)
        #expect(Collateral.cost(of: Shares(micros: 123), at: Price(micros: 0), rounding: .up).micros == 0)
    }

    @Test func maximumSizeAtPriceOneDoesNotOverflow() {
        let most = Shares(micros: .max)
        #expect(Collateral.cost(of: most, at: Price(micros: 1_000_000), rounding: .up).micros == .max)
        #expect(Collateral.cost(of: most, at: Price(micros: 999_999), rounding: .down).micros
                == UInt64(UInt128(UInt64.max) * 999_999 / 1_000_000))
        #expect(Collateral.cost(of: most, at: Price(micros: 999_999), rounding: .up).micros
                == UInt64(UInt128(UInt64.max) * 999_999 / 1_000_000) + 1)
    }

    @Test func priceAboveOneSaturatesInsteadOfTrapping() {
        #expect(Collateral.cost(of: Shares(micros: .max), at: Price(micros: 2_000_000), rounding: .down).micros == .max)
        #expect(Collateral.cost(of: Shares(micros: .max), at: Price(micros: .max), rounding: .up).micros == .max)
    }

    /// The formula this replaces, `(size × price + 999_999) / 1_000_000`, agrees everywhere it
    /// did not trap.
    @Test func roundingUpMatchesTheCeilingFormula() {
        var random = SystemRandomNumberGenerator()
        for _ in 0..<2_000 {
            let size = UInt64.random(in: 0...10_000_000_000_000, using: &random)
            let price = UInt64.random(in: 0...1_000_000, using: &random)
            let ceiling = UInt64((UInt128(size) * UInt128(price) + 999_999) / 1_000_000)
            let floor = UInt64((UInt128(size) * UInt128(price)) / 1_000_000)
            #expect(Collateral.cost(of: Shares(micros: size), at: Price(micros: price), rounding: .up).micros == ceiling)
            #expect(Collateral.cost(of: Shares(micros: size), at: Price(micros: price), rounding: .down).micros == floor)
        }
    }
}
