@testable import clob_sim
import Testing
import PolypipeCore

/// Fees (spec §2.5, §9) and the taker delay (spec §4.4 `itode`, §9) in the matching engine, on
/// a market with crypto Up/Down fees. Amounts are worked out by hand in the comments.
@Suite struct MatchingEngineFeeTests {
    let market: SimMarket = {
        var market = MarketCatalog.binary(slug: "fee-test", question: "fee test")
        market.fees = .cryptoUpDown
        return market
    }()
    var delayedMarket: SimMarket {
        var copy = market
        copy.takerDelay = true
        return copy
    }
    var up: TokenID { market.tokens[0] }
    var down: TokenID { market.tokens[1] }
    let alice = try! EthereumAddress("0x0000000000000000000000000000000000000a11")
    let bob = try! EthereumAddress("0x0000000000000000000000000000000000000b0b")

    func engine(bobCollateral: Int64 = 1_000_000_000) -> MatchingEngine {
        var engine = MatchingEngine(seed: 3)
        engine.fund(alice, collateral: 1_000_000_000)
        engine.fund(alice, token: up, shares: 100_000_000)
        engine.fund(bob, collateral: bobCollateral)
        engine.fund(bob, token: up, shares: 100_000_000)
        return engine
    }

    var counter = 0
    mutating func order(_ owner: EthereumAddress, _ side: Side, price: String, size: String, type: OrderType = .gtc,
                        in market: SimMarket? = nil) -> MatchingEngine.Incoming {
        counter += 1
        let market = market ?? self.market
        let amounts = try! OrderAmounts.limit(side: side, price: price, size: size, tick: market.tick)
        return .init(id: "0x\(counter)", owner: "key-\(owner.lowercased.suffix(4))", maker: owner, market: market, token: up, side: side,
                     makerAmount: UInt64(amounts.makerAmount), takerAmount: UInt64(amounts.takerAmount), orderType: type,
                     postOnly: false, expiration: 0)
    }

    @Test func theFeeCurveFloorsToFiveDecimalsAndPaysMakersTwentyPercent() {
        let fees = MarketFees.cryptoUpDown
        #expect(fees.takerFee(shares: 100_000_000, price: 500_000) == 1_750_000)  // 100 × 0.07 × 0.25
        #expect(fees.takerFee(shares: 10_000_000, price: 370_000) == 163_170)     // 10 × 0.07 × 0.2331 = 0.16317
        #expect(fees.takerFee(shares: 1_000_000, price: 330_000) == 15_470)       // 0.015477 floored to 0.01547
        #expect(fees.takerFee(shares: 5_000_000, price: 10_000) == 3_460)         // 0.003465 floored to 0.00346
        #expect(fees.takerFee(shares: 10_000, price: 10_000) == 0)                // 0.00000693: below 0.00001
        #expect(fees.makerRebate(shares: 100_000_000, price: 500_000) == 350_000) // 20 % of 1.75
        #expect(fees.maximumTakerFee(shares: 100_000_000, limit: 800_000) == 1_750_000, "the peak at 0.5 bounds a limit above it")
        #expect(fees.maximumTakerFee(shares: 100_000_000, limit: 200_000) == 1_120_000)
        #expect(fees.rateBasisPoints == "700" && MarketFees.free.rateBasisPoints == "0")
        #expect(JSONWriter.serialize(fees.compactJSON) == #"{"r":0.07,"e":1,"to":true}"#)
        #expect(JSONWriter.serialize(MarketFees.free.compactJSON) == #"{"r":0,"e":0,"to":true}"#)
    }

    @Test mutating func aTakerBuyPaysTheFeeOnTopAndTheMakerGetsTheRebate() throws {
        var engine = engine()
        let before = engine.ledger.totalCollateral
        _ = try engine.place(order(alice, .sell, price: "0.50", size: "10"), nowMillis: 0)
        let placement = try engine.place(order(bob, .buy, price: "0.50", size: "10"), nowMillis: 0)
        #expect(placement.status == "matched" && placement.making == 5_000_000, "amounts are the price, without the fee")
        let trade = try #require(engine.trades.last)
        #expect(trade.fee == 175_000 && trade.feeRateBps == "700")  // 10 × 0.07 × 0.25
        #expect(trade.makerLegs.first?.rebate == 35_000)
        #expect(engine.ledger.balance(bob) == 1_000_000_000 - 5_000_000 - 175_000)
        #expect(engine.ledger.balance(alice) == 1_000_000_000 + 5_000_000 + 35_000)
        #expect(engine.ledger.balance(Ledger.feeCollector) == 140_000)
        #expect(engine.ledger.totalCollateral == before, "fees move money, they do not make or destroy it")
        #expect(engine.ledger.availableCollateral(bob) == engine.ledger.balance(bob), "nothing stays reserved")
    }

    @Test mutating func aTakerSellPaysTheFeeOutOfItsProceeds() throws {
        var engine = engine()
        _ = try engine.place(order(alice, .buy, price: "0.30", size: "20"), nowMillis: 0)
        _ = try engine.place(order(bob, .sell, price: "0.30", size: "20"), nowMillis: 0)
        // 20 × 0.07 × 0.3 × 0.7 = 0.294 pUSD.
        #expect(engine.trades.last?.fee == 294_000)
        #expect(engine.ledger.balance(bob) == 1_000_000_000 + 6_000_000 - 294_000)
    }

    @Test mutating func aMarketableBuyWalksTheBookAndPaysTheFeeOnItsAveragePrice() throws {
        var engine = engine()
        _ = try engine.place(order(alice, .sell, price: "0.50", size: "10"), nowMillis: 0)
        _ = try engine.place(order(alice, .sell, price: "0.52", size: "10"), nowMillis: 0)
        _ = try engine.place(order(alice, .sell, price: "0.55", size: "10"), nowMillis: 0)
        let placement = try engine.place(order(bob, .buy, price: "0.55", size: "25"), nowMillis: 0)
        // 10 × 0.50 + 10 × 0.52 + 5 × 0.55 = 12.95 for 25 shares: 0.518 a share, worse than the best ask.
        #expect(placement.making == 12_950_000 && placement.taking == 25_000_000)
        let trade = try #require(engine.trades.last)
        #expect(trade.price == 518_000 && trade.makerLegs.map(\.price) == [500_000, 520_000, 550_000])
        // 25 × 0.07 × 0.518 × 0.482 = 0.436933 → 0.43693; what FeeSchedule gives fill-proc for this trade.
        #expect(trade.fee == 436_930)
        #expect(trade.fee == MarketFees.cryptoUpDown.schedule.fee(shares: Shares(micros: trade.size), price: Price(micros: trade.price), isTaker: true).micros)
        #expect(engine.ledger.balance(bob) == 1_000_000_000 - 12_950_000 - 436_930)
    }

    @Test mutating func aMarketableBuyMustAlsoAffordItsFee() throws {
        var poor = engine(bobCollateral: 5_000_000)
        _ = try poor.place(order(alice, .sell, price: "0.50", size: "10"), nowMillis: 0)
        #expect(throws: SimError.notEnoughBalance) { try poor.place(order(bob, .buy, price: "0.50", size: "10"), nowMillis: 0) }
        let resting = try poor.place(order(bob, .buy, price: "0.40", size: "12.5"), nowMillis: 0)
        #expect(resting.status == "live", "a resting BUY is a maker: no fee to hold back")

        var enough = engine(bobCollateral: 5_175_000)
        _ = try enough.place(order(alice, .sell, price: "0.50", size: "10"), nowMillis: 0)
        #expect(try enough.place(order(bob, .buy, price: "0.50", size: "10"), nowMillis: 0).status == "matched")
        #expect(enough.ledger.balance(bob) == 0)
    }

    @Test mutating func aFailedTradeGivesTheFeesBack() throws {
        var engine = engine()
        _ = try engine.place(order(alice, .sell, price: "0.50", size: "10"), nowMillis: 0)
        _ = try engine.place(order(bob, .buy, price: "0.50", size: "10"), nowMillis: 0)
        #expect(engine.ledger.balance(Ledger.feeCollector) == 140_000 && engine.ledger.balance(alice) == 1_005_035_000)
        _ = engine.advanceTrades(nowMillis: 10_000, minedAfter: 1, confirmedAfter: 2) { _ in true }
        _ = engine.advanceTrades(nowMillis: 20_000, minedAfter: 1, confirmedAfter: 2) { _ in true }
        #expect(engine.trades.last?.status == .failed)
        #expect(engine.ledger.balance(bob) == 1_000_000_000 && engine.ledger.balance(alice) == 1_000_000_000)
        #expect(engine.ledger.balance(Ledger.feeCollector) == 0)
    }

    // MARK: Taker delay

    @Test mutating func aDelayedOrderHoldsItsFundsRefusesCancelAndDuplicateThenMatches() throws {
        var engine = engine()
        _ = try engine.place(order(alice, .sell, price: "0.50", size: "10", in: delayedMarket), nowMillis: 0)
        let incoming = order(bob, .buy, price: "0.50", size: "10", in: delayedMarket)
        let placement = try engine.place(incoming, nowMillis: 1_000)
        #expect(placement == .init(status: "delayed", making: 0, taking: 0, tradeIDs: []))
        #expect(engine.orders[incoming.id]?.status == .delayed && engine.trades.isEmpty)
        #expect(engine.ledger.availableCollateral(bob) == 1_000_000_000 - 5_000_000 - 175_000, "price and maximum fee reserved")
        #expect(engine.cancel(incoming.id, owner: incoming.owner) == MatchingEngine.delayedCancelRefusal)
        #expect(throws: SimError.duplicated) { try engine.place(incoming, nowMillis: 1_100) }
        #expect(engine.openOrderIDs(owner: incoming.owner) == [incoming.id], "listed with the open orders, so cancel-all reports it")

        #expect(engine.releaseDelayed(nowMillis: 1_249) { _ in nil }.isEmpty, "250 ms have not passed")
        let placedEvents = engine.drainEvents().compactMap { event -> String? in
            guard case .order(let order, let change) = event, order.id == incoming.id else { return nil }
            return "\(change.rawValue) \(order.status.rawValue)"
        }
        #expect(placedEvents == ["PLACEMENT DELAYED"], "what the user channel hears while the order waits")
        let released = engine.releaseDelayed(nowMillis: 1_250) { _ in nil }
        #expect(released.map(\.status) == ["matched"])
        let releasedEvents = engine.drainEvents().map { event -> String in
            switch event {
            case .order(let order, let change): return "\(change.rawValue) \(order.id == incoming.id ? "taker" : "maker") \(order.status.rawValue)"
            case .trade(let trade): return "trade \(trade.status)"
            }
        }
        #expect(releasedEvents == ["UPDATE maker MATCHED", "trade matched", "UPDATE taker MATCHED"])
        #expect(engine.orders[incoming.id]?.status == .matched && engine.trades.count == 1)
        #expect(engine.ledger.balance(bob) == 1_000_000_000 - 5_000_000 - 175_000 && engine.ledger.availableCollateral(bob) == engine.ledger.balance(bob))
    }

    @Test mutating func aDelayedOrderThatNoLongerCrossesEndsUnmatchedAndGetsItsFundsBack() throws {
        var engine = engine()
        let ask = order(alice, .sell, price: "0.50", size: "10", in: delayedMarket)
        _ = try engine.place(ask, nowMillis: 0)
        let incoming = order(bob, .buy, price: "0.50", size: "10", in: delayedMarket)
        #expect(try engine.place(incoming, nowMillis: 0).status == "delayed")
        #expect(engine.cancel(ask.id, owner: ask.owner) == nil, "the liquidity leaves during the delay")
        _ = engine.drainEvents()
        #expect(engine.releaseDelayed(nowMillis: 250) { _ in nil }.map(\.status) == ["unmatched"])
        #expect(engine.orders[incoming.id]?.status == .unmatched && engine.trades.isEmpty)
        #expect(engine.ledger.availableCollateral(bob) == 1_000_000_000)
        let events = engine.drainEvents()
        guard case .order(let ended, .cancellation)? = events.last else { Issue.record("no cancellation event: \(events)"); return }
        #expect(ended.status == .unmatched)
    }

    @Test mutating func aDelayedFOKIsKilledWhenItCanNoLongerFillWhole() throws {
        var engine = engine()
        let ask = order(alice, .sell, price: "0.50", size: "10", in: delayedMarket)
        _ = try engine.place(ask, nowMillis: 0)
        let fok = order(bob, .buy, price: "0.50", size: "10", type: .fok, in: delayedMarket)
        #expect(try engine.place(fok, nowMillis: 0).status == "delayed")
        // Half the liquidity leaves during the delay.
        #expect(engine.cancel(ask.id, owner: ask.owner) == nil)
        _ = try engine.place(order(alice, .sell, price: "0.50", size: "5", in: delayedMarket), nowMillis: 100)
        #expect(engine.releaseDelayed(nowMillis: 250) { _ in nil }.map(\.status) == ["unmatched"])
        #expect(engine.ledger.balance(bob, up) == 100_000_000, "killed whole: nothing bought")
    }

    @Test mutating func onADelayMarketARestingOrderIsPlacedAtOnce() throws {
        var engine = engine()
        let placement = try engine.place(order(bob, .buy, price: "0.40", size: "10", in: delayedMarket), nowMillis: 0)
        #expect(placement.status == "live" && engine.book(up).bids.map(\.price) == [400_000])
    }
}
