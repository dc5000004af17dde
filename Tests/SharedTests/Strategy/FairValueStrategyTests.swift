import Testing
import MarketData
import PolypipeCore
import Strategies
import VenueClient

@Suite struct FairValueStrategyTests {
    let window = UpDownWindow(containing: 1_800_000_000, length: .fiveMinutes)  // 1799999900 … 1800000200
    let up = try! TokenID(decimal: "1000001")
    let down = try! TokenID(decimal: "2000002")

    func market(priceToBeat: SpotPrice? = SpotPrice(micros: 100_000_000_000)) -> UpDownMarket {
        UpDownMarket(window: window, conditionID: "0x" + String(repeating: "ab", count: 32), upToken: up, downToken: down,
                     start: window.start, end: window.end, tickSize: .hundredth, acceptingOrders: true, priceToBeat: priceToBeat)
    }

    func book(_ token: TokenID, ask: String?) -> LocalOrderBook {
        var book = LocalOrderBook(tokenID: token)
        book.replace(bids: [], asks: ask.map { [PriceLevel(price: try! Price($0), size: Shares(micros: 100_000_000))] } ?? [], tickSize: .hundredth)
        return book
    }

    /// 100 s left, σ = 1e-4/√s, S/S0 = e^0.001 → z = 0.001 / (1e-4 · 10) = 1 → P(Up) = Φ(1) ≈ 0.8413.
    func state(upAsk: String?, downAsk: String?, secondsLeft: Int64 = 100, wall: Int64 = 1_000, market: UpDownMarket? = nil,
               sigma: Double? = 0.0001) -> MarketState {
        MarketState(market: market ?? self.market(), upBook: book(up, ask: upAsk), downBook: book(down, ask: downAsk),
                    spot: SpotPrice(micros: 100_100_050_017), sigmaPerSqrtSecond: sigma,
                    nowMillis: (window.end - secondsLeft) * 1000, wallClockMillis: wall)
    }

    func strategy(edge: UInt64 = 10_000, fee: UInt64 = 0, stop: Double = 15, cooldown: Int64 = 10_000, slippage: UInt64 = 0) -> FairValueStrategy {
        FairValueStrategy(configuration: .init(size: Shares(micros: 10_000_000), edge: Price(micros: edge), fee: Price(micros: fee),
                                               ttlMillis: 4_000, stopBeforeEndSeconds: stop, cooldownMillis: cooldown,
                                               maxSlippage: Price(micros: slippage)),
                          runID: 1_790_000_000_000)
    }

    @Test func knownProbabilities() {
        let start = SpotPrice(micros: 100_000_000_000)
        #expect(UpProbability.probability(spot: start, start: start, sigmaPerSqrtSecond: 0.0001, secondsLeft: 100) == 0.5)
        #expect(abs(UpProbability.standardNormalCDF(1) - 0.841_344_746) < 1e-9)
        #expect(abs(UpProbability.standardNormalCDF(-1.959_963_985) - 0.025) < 1e-9)
        let p = UpProbability.probability(spot: SpotPrice(micros: 100_100_050_017), start: start, sigmaPerSqrtSecond: 0.0001, secondsLeft: 100)
        #expect(abs(p - 0.841_344_746) < 1e-6, "\(p)")
        #expect(UpProbability.micros(p) == 841_344, "rounded down to micro-units")
        // No time or no volatility left: the tie rule (end ≥ start → Up).
        #expect(UpProbability.probability(spot: start, start: start, sigmaPerSqrtSecond: 0.0001, secondsLeft: 0) == 1)
        #expect(UpProbability.probability(spot: SpotPrice(micros: 99_000_000_000), start: start, sigmaPerSqrtSecond: 0, secondsLeft: 50) == 0)
    }

    @Test func probabilityIsMonotone() {
        let start = SpotPrice(micros: 100_000_000_000)
        var previous = -1.0
        for dollars in stride(from: UInt64(99_500), through: 100_500, by: 50) {
            let p = UpProbability.probability(spot: SpotPrice(micros: dollars * 1_000_000), start: start, sigmaPerSqrtSecond: 0.0001, secondsLeft: 120)
            #expect(p > previous, "P(Up) rises with the price")
            previous = p
        }
        // Above the start, less time left makes Up more certain.
        let above = SpotPrice(micros: 100_050_000_000)
        let early = UpProbability.probability(spot: above, start: start, sigmaPerSqrtSecond: 0.0001, secondsLeft: 250)
        let late = UpProbability.probability(spot: above, start: start, sigmaPerSqrtSecond: 0.0001, secondsLeft: 20)
        #expect(late > early && early > 0.5)
    }

    @Test func buysUpWhenItsAskIsBelowFairMinusEdgeAndFee() throws {
        var fv = strategy()
        let actions = fv.decide(state(upAsk: "0.83", downAsk: "0.30"))  // fair 0.8413, margin 0.01 → buy below 0.8313
        let action = try #require(actions.first)
        #expect(actions.count == 1)
        #expect(action.tokenID == up && action.side == .buy && action.size == Shares(micros: 10_000_000))
        #expect(action.limitPrice == Price(micros: 830_000) && action.expectedPrice == Price(micros: 830_000))
        #expect(action.ttlMillis == 4_000 && action.createdAtMillis == 1_000 && action.strategy == "fair-value")
        #expect(action.id == "fv-\(window.start)-000001-1-1790000000000")
        let bus = action.busMessage
        #expect(bus.side == .buy && bus.limitPriceMicros == 830_000 && bus.tokenID == "1000001" && bus.sizeMicros == 10_000_000)
    }

    @Test func maxSlippageRaisesTheLimitButNeverPastTheMargin() throws {
        // P(Up) = 0.841344, edge 0.01: every share must cost less than 0.831344, so 0.83 at most.
        var loose = strategy(slippage: 20_000)
        let raised = try #require(loose.decide(state(upAsk: "0.80", downAsk: nil)).first)
        #expect(raised.limitPrice == Price(micros: 820_000) && raised.expectedPrice == Price(micros: 800_000))
        var looser = strategy(slippage: 50_000)
        #expect(looser.decide(state(upAsk: "0.80", downAsk: nil)).first?.limitPrice == Price(micros: 830_000), "capped below the margin")
        var tight = strategy()
        #expect(tight.decide(state(upAsk: "0.80", downAsk: nil)).first?.limitPrice == Price(micros: 800_000), "no allowance: the ask")
    }

    @Test func edgeAndFeeGateTheTrade() {
        var withFee = strategy(edge: 10_000, fee: 2_000)  // margin 0.012 → buy below 0.829344
        #expect(withFee.decide(state(upAsk: "0.83", downAsk: nil)).isEmpty)
        var noMargin = strategy(edge: 0)
        #expect(noMargin.decide(state(upAsk: "0.84", downAsk: nil)).count == 1, "0.84 < 0.841344")
        var atFair = strategy(edge: 1_344)  // buy below exactly 0.84: 0.84 is not below
        #expect(atFair.decide(state(upAsk: "0.84", downAsk: nil)).isEmpty)
    }

    @Test func buysDownWhenItsAskIsBelowOneMinusFair() throws {
        var fv = strategy()
        // 1 − P ≈ 0.158655; buy below 0.148655.
        #expect(fv.decide(state(upAsk: "0.99", downAsk: "0.15")).isEmpty)
        let actions = fv.decide(state(upAsk: "0.99", downAsk: "0.14"))
        #expect(actions.map(\.tokenID) == [down] && actions.first?.limitPrice == Price(micros: 140_000))
    }

    @Test func holdsNearTheEndAndWithoutInputs() {
        var fv = strategy(stop: 30)
        #expect(fv.decide(state(upAsk: "0.50", downAsk: nil, secondsLeft: 30)).isEmpty, "stop-before-end")
        #expect(fv.decide(state(upAsk: "0.50", downAsk: nil, secondsLeft: 31)).count == 1)
        var other = strategy()
        #expect(other.decide(state(upAsk: "0.50", downAsk: nil, market: market(priceToBeat: nil))).isEmpty, "no start price")
        #expect(other.decide(state(upAsk: "0.50", downAsk: nil, sigma: nil)).isEmpty, "no volatility yet")
        var invalid = state(upAsk: "0.50", downAsk: nil)
        invalid.upBook?.invalidate(newTick: .thousandth)
        #expect(other.decide(invalid).isEmpty, "a dropped book")
    }

    @Test func cooldownAllowsOneDecisionPerTokenPerPeriod() {
        var fv = strategy(cooldown: 10_000)
        #expect(fv.decide(state(upAsk: "0.50", downAsk: nil, wall: 1_000)).count == 1)
        #expect(fv.decide(state(upAsk: "0.50", downAsk: nil, wall: 10_999)).isEmpty)
        let again = fv.decide(state(upAsk: "0.50", downAsk: "0.01", wall: 11_000))
        #expect(again.count == 2, "up after its cooldown, down for the first time")
        #expect(Set(again.map(\.id)).count == 2 && again.allSatisfy { $0.id.hasSuffix("-1790000000000") })
    }
}
