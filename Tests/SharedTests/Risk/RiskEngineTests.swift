import Testing
import Execution
import PolypipeCore

@Suite struct RiskEngineTests {
    static let limits = RiskLimits(maxOrderNotional: Collateral(micros: 50_000_000), maxMarketExposure: Collateral(micros: 120_000_000),
                                   maxTotalExposure: Collateral(micros: 200_000_000), maxOrdersPerMinute: 30,
                                   priceBand: Price(micros: 100_000), dailyLossLimit: Collateral(micros: 25_000_000))
    /// The same with max_token_shares at 150 shares, for the random sequences.
    static let propertyLimits: RiskLimits = {
        var limits = Self.limits
        limits.maxTokenShares = Shares(micros: 150_000_000)
        return limits
    }()
    static let up = TokenID(UInt256(UInt64(1)))

    func buy(_ market: String = "m1", price: UInt64, size: UInt64, token: TokenID = up) -> RiskEngine.Proposal {
        .init(market: market, token: token, side: .buy, price: Price(micros: price), size: Shares(micros: size))
    }

    @Test func eachRuleRefusesWithItsOwnReason() {
        var engine = RiskEngine(limits: Self.limits)
        let mid = Price(micros: 500_000)
        #expect(engine.evaluate(buy(price: 500_000, size: 120_000_000), mid: mid, nowMillis: 0)
                == .reject(.notionalAboveLimit(limit: Self.limits.maxOrderNotional, requested: Collateral(micros: 60_000_000))))
        #expect(engine.evaluate(buy(price: 990_000, size: 10_000_000), mid: mid, nowMillis: 0)
                == .reject(.outsidePriceBand(mid: mid, price: Price(micros: 990_000), band: Self.limits.priceBand)))
        #expect(engine.evaluate(buy(price: 500_000, size: 10_000_000), mid: nil, nowMillis: 0) == .reject(.noReferencePrice))
        #expect(engine.evaluate(buy(price: 500_000, size: 0), mid: mid, nowMillis: 0) == .reject(.invalid("size must be positive")))
        // Two $50 orders fit the $120 market limit, the third does not.
        #expect(engine.evaluate(buy(price: 500_000, size: 100_000_000), mid: mid, nowMillis: 0) == .allow)
        #expect(engine.evaluate(buy(price: 500_000, size: 100_000_000), mid: mid, nowMillis: 0) == .allow)
        #expect(engine.evaluate(buy(price: 500_000, size: 100_000_000), mid: mid, nowMillis: 0)
                == .reject(.marketExposureAboveLimit(limit: Self.limits.maxMarketExposure, after: Collateral(micros: 150_000_000))))
        // Selling what is not held is refused; selling what is held is allowed even when reducing.
        let sell = RiskEngine.Proposal(market: "m1", token: Self.up, side: .sell, price: Price(micros: 500_000), size: Shares(micros: 10_000_000))
        #expect(engine.evaluate(sell, mid: mid, nowMillis: 0) != .allow)
        engine.bought(token: Self.up, shares: Shares(micros: 200_000_000))
        engine.set(.reducing)
        #expect(engine.evaluate(buy("m2", price: 500_000, size: 10_000_000), mid: mid, nowMillis: 0) == .reject(.reducingOnly))
        #expect(engine.evaluate(sell, mid: mid, nowMillis: 0) == .allow)
        engine.set(.halted)
        #expect(engine.evaluate(sell, mid: mid, nowMillis: 0) == .reject(.halted))
    }

    /// Every limit is inclusive: an order landing exactly on it is allowed, one micro-unit past
    /// it is refused. (The random sequences rarely hit an edge exactly, so each is pinned here.)
    @Test func eachLimitIsInclusiveToTheMicroUnit() {
        let mid = Price(micros: 500_000)
        // Order notional: 100 shares at 0.50 = 50.000000 pUSD, the limit; 100.000002 shares is
        // 50.000001 pUSD (rounded up).
        var engine = RiskEngine(limits: Self.limits)
        #expect(engine.evaluate(buy(price: 500_000, size: 100_000_000), mid: mid, nowMillis: 0) == .allow)
        #expect(engine.evaluate(buy("m2", price: 500_000, size: 100_000_002), mid: mid, nowMillis: 0)
                == .reject(.notionalAboveLimit(limit: Self.limits.maxOrderNotional, requested: Collateral(micros: 50_000_001))))

        // Market exposure: 50 + 50 + 20 = 120, the limit; then 1 micro more is refused.
        engine = RiskEngine(limits: Self.limits)
        #expect(engine.evaluate(buy(price: 500_000, size: 100_000_000), mid: mid, nowMillis: 0) == .allow)
        #expect(engine.evaluate(buy(price: 500_000, size: 100_000_000), mid: mid, nowMillis: 0) == .allow)
        #expect(engine.evaluate(buy(price: 500_000, size: 40_000_000), mid: mid, nowMillis: 0) == .allow)
        #expect(engine.exposure["m1"] == Self.limits.maxMarketExposure.micros)
        #expect(engine.evaluate(buy(price: 500_000, size: 2), mid: mid, nowMillis: 0)
                == .reject(.marketExposureAboveLimit(limit: Self.limits.maxMarketExposure, after: Collateral(micros: 120_000_001))))

        // Total exposure: 120 in m1 + 50 in m2 + 30 in m3 = 200, the limit; then 1 micro more.
        #expect(engine.evaluate(buy("m2", price: 500_000, size: 100_000_000), mid: mid, nowMillis: 0) == .allow)
        #expect(engine.evaluate(buy("m3", price: 500_000, size: 60_000_000), mid: mid, nowMillis: 0) == .allow)
        #expect(engine.totalExposure == Self.limits.maxTotalExposure.micros)
        #expect(engine.evaluate(buy("m4", price: 500_000, size: 2), mid: mid, nowMillis: 0)
                == .reject(.totalExposureAboveLimit(limit: Self.limits.maxTotalExposure, after: Collateral(micros: 200_000_001))))

        // Price band: exactly 0.10 from the mid passes either way, 0.100001 does not.
        engine = RiskEngine(limits: Self.limits)
        #expect(engine.evaluate(buy(price: 600_000, size: 1_000_000), mid: mid, nowMillis: 0) == .allow)
        #expect(engine.evaluate(buy(price: 400_000, size: 1_000_000), mid: mid, nowMillis: 0) == .allow)
        #expect(engine.evaluate(buy(price: 600_001, size: 1_000_000), mid: mid, nowMillis: 0)
                == .reject(.outsidePriceBand(mid: mid, price: Price(micros: 600_001), band: Self.limits.priceBand)))

        // Daily loss: halts on reaching the limit exactly (covered by theDailyLossLimitHalts).
    }

    @Test func theOrderRateIsASlidingMinute() {
        var engine = RiskEngine(limits: Self.limits)
        let mid = Price(micros: 500_000)
        for index in 0..<30 { #expect(engine.evaluate(buy("m\(index)", price: 500_000, size: 1_000_000), mid: mid, nowMillis: Int64(index)) == .allow) }
        #expect(engine.evaluate(buy("mx", price: 500_000, size: 1_000_000), mid: mid, nowMillis: 59_000) == .reject(.orderRateAboveLimit(perMinute: 30)))
        #expect(engine.evaluate(buy("mx", price: 500_000, size: 1_000_000), mid: mid, nowMillis: 60_001) == .allow)
    }

    @Test func theDailyLossLimitHalts() {
        var engine = RiskEngine(limits: Self.limits)
        engine.realized(loss: Collateral(micros: 20_000_000))
        #expect(engine.state == .running)
        engine.realized(loss: Collateral(micros: 5_000_000))
        #expect(engine.state == .halted)
    }

    /// max_token_shares: shares held plus open BUYs of one token, inclusive, per token.
    @Test func theTokenShareLimitCountsHoldingsAndOpenBuysInclusively() {
        var limits = Self.limits
        limits.maxOrderNotional = Collateral(micros: 1_000_000_000)
        limits.maxMarketExposure = Collateral(micros: 1_000_000_000)
        limits.maxTotalExposure = Collateral(micros: 1_000_000_000)
        limits.maxTokenShares = Shares(micros: 100_000_000)  // 100 shares
        var engine = RiskEngine(limits: limits)
        let mid = Price(micros: 500_000)
        let down = TokenID(UInt256(UInt64(2)))
        // 40 held (the venue's balances), 50 on an open BUY: 10 more land exactly on the limit.
        engine.resynchronize(exposure: [:], holdings: [Self.up: 40_000_000], tokenShares: [Self.up: 40_000_000])
        #expect(engine.evaluate(buy(price: 500_000, size: 50_000_000), mid: mid, nowMillis: 0) == .allow)
        #expect(engine.evaluate(buy(price: 500_000, size: 10_000_001), mid: mid, nowMillis: 0)
                == .reject(.tokenSharesAboveLimit(token: Self.up, limit: Shares(micros: 100_000_000), after: Shares(micros: 100_000_001))),
                "one micro-share past the limit is refused, naming the rule")
        #expect(engine.evaluate(buy(price: 500_000, size: 10_000_000), mid: mid, nowMillis: 0) == .allow, "exactly at the limit is allowed")
        #expect(engine.evaluate(buy(price: 500_000, size: 1), mid: mid, nowMillis: 0) != .allow)
        // Another token has its own room.
        #expect(engine.evaluate(buy(price: 500_000, size: 100_000_000, token: down), mid: mid, nowMillis: 0) == .allow)
        // A cancelled remainder gives its shares back; a refused (undone) BUY too.
        engine.releaseOpenBuy(token: Self.up, shares: Shares(micros: 20_000_000))
        #expect(engine.tokenShares[Self.up] == 80_000_000)
        let twenty = buy(price: 500_000, size: 20_000_000)
        #expect(engine.evaluate(twenty, mid: mid, nowMillis: 0) == .allow)
        engine.undo(twenty)
        #expect(engine.tokenShares[Self.up] == 80_000_000)
        // A SELL is never refused by it.
        let sell = RiskEngine.Proposal(market: "m1", token: Self.up, side: .sell, price: Price(micros: 500_000), size: Shares(micros: 40_000_000))
        #expect(engine.evaluate(sell, mid: mid, nowMillis: 0) == .allow)
        // Without the field, no limit.
        limits.maxTokenShares = nil
        var unlimited = RiskEngine(limits: limits)
        unlimited.resynchronize(exposure: [:], holdings: [:], tokenShares: [Self.up: 10_000_000_000])
        #expect(unlimited.evaluate(buy(price: 500_000, size: 100_000_000), mid: mid, nowMillis: 0) == .allow)
    }

    /// The limits file: `max_token_shares` is optional (no limit when absent), and a bad value
    /// is an error naming the field.
    @Test func theLimitsFileReadsMaxTokenSharesWhenPresent() throws {
        let base = #""max_order_notional": "50", "max_market_exposure": "200", "max_total_exposure": "1000", "max_orders_per_minute": 120, "price_band": "0.10", "daily_loss_limit": "100""#
        #expect(try RiskLimits(json: "{\(base)}").maxTokenShares == nil)
        #expect(try RiskLimits(json: "{\(base), \"max_token_shares\": \"500.5\"}").maxTokenShares == Shares(micros: 500_500_000))
        let error = #expect(throws: RiskLimits.FileError.self) { try RiskLimits(json: "{\(base), \"max_token_shares\": \"lots\"}") }
        #expect(error?.description.contains("'max_token_shares'") == true, "\(String(describing: error))")
    }

    /// Random sequences (seeded, reproducible) of proposals, fills, cancels and state changes:
    /// no allowed order ever breaks a limit (test matrix RISK-06, the slicing case included),
    /// max_token_shares among them.
    @Test(arguments: UInt64(1)...40)
    func randomSequencesNeverBreakALimit(seed: UInt64) {
        var random = SplitMix64(seed: seed)
        let limits = Self.propertyLimits
        var engine = RiskEngine(limits: limits)
        var allowedAt: [Int64] = []
        // Shares held plus on open BUYs per token, as the caller's own tally (the model).
        var tokenShares: [TokenID: UInt64] = [:]
        var now: Int64 = 0
        for _ in 0..<400 {
            now += Int64(random.next() % 3_000)
            let market = "m\(random.next() % 3)"
            let token = TokenID(UInt256(random.next() % 4))
            let price = 10_000 + (random.next() % 98) * 10_000
            let offset = Int64(random.next() % 100_000) - 50_000
            let mid = random.next() % 5 == 0 ? nil : Price(micros: UInt64(min(990_000, max(10_000, Int64(price) + offset))))
            let size = (1 + random.next() % 20_000) * 10_000
            let side: Side = random.next() % 4 == 0 ? .sell : .buy
            let proposal = RiskEngine.Proposal(market: market, token: token, side: side, price: Price(micros: price), size: Shares(micros: size))
            let stateBefore = engine.state
            let heldBefore = engine.holdings[token, default: 0]
            let sharesBefore = tokenShares[token, default: 0]
            if engine.evaluate(proposal, mid: mid, nowMillis: now) == .allow {
                allowedAt.append(now)
                #expect(stateBefore != .halted)
                if side == .buy {
                    #expect(stateBefore == .running)
                    #expect(proposal.notional <= limits.maxOrderNotional.micros)
                    #expect(sharesBefore + size <= limits.maxTokenShares?.micros ?? .max, "a BUY never takes a token past max_token_shares")
                    tokenShares[token, default: 0] += size
                    if random.next() % 2 == 0 { engine.bought(token: token, shares: proposal.size) }
                } else {
                    #expect(size <= heldBefore, "a sell never exceeds what is held")
                }
                #expect(allowedAt.filter { $0 > now - 60_000 }.count <= limits.maxOrdersPerMinute)
            }
            for (name, value) in engine.exposure { #expect(value <= limits.maxMarketExposure.micros, "\(name)") }
            #expect(engine.totalExposure <= limits.maxTotalExposure.micros)
            for key in Set(engine.tokenShares.keys).union(tokenShares.keys) {
                #expect(engine.tokenShares[key, default: 0] == tokenShares[key, default: 0], "the engine's tally is the model's")
                #expect(engine.tokenShares[key, default: 0] <= limits.maxTokenShares?.micros ?? .max)
            }
            switch random.next() % 40 {
            case 0: engine.release(market: market, amount: Collateral(micros: random.next() % 60_000_000))
            case 1: engine.set(.reducing)
            case 2: engine.set(.running)
            case 3: engine.realized(loss: Collateral(micros: random.next() % 3_000_000))
            case 4, 5:
                let gone = random.next() % 40_000_000
                engine.releaseOpenBuy(token: token, shares: Shares(micros: gone))
                tokenShares[token, default: 0] -= min(tokenShares[token, default: 0], gone)
            default: break
            }
        }
    }
}
