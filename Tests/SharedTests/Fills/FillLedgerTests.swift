import Testing
import Fills
import PolypipeCore
import VenueClient

@Suite struct FillLedgerTests {
    typealias S = FillScenario

    @Test func partialFillsTakeAnOrderFromOpenThroughMatchedToFilled() {
        var ledger = S.ledger([S.order(1, size: 10_000_000)])
        #expect(ledger.order(S.orderID(1))?.state == .submitted)
        _ = ledger.record(.accepted, orderID: S.orderID(1), atMillis: 1_100)
        #expect(ledger.order(S.orderID(1))?.state == .open)
        let first = ledger.ingest(S.takerTrade("t1", order: 1, .buy, size: 4_000_000, price: 500_000))
        #expect(first.newFills.count == 1 && first.orders.first?.state == .matched)
        #expect(ledger.order(S.orderID(1))?.filled == Shares(micros: 4_000_000))
        #expect(ledger.order(S.orderID(1))?.remaining == Shares(micros: 6_000_000))
        _ = ledger.ingest(S.takerTrade("t2", order: 1, .buy, size: 6_000_000, price: 510_000))
        #expect(ledger.order(S.orderID(1))?.state == .filled)
        #expect(ledger.position(S.upKey)?.size == Signed(micros: 10_000_000))
        // A late cancellation does not undo a fill (the fill won the race, CAN-02).
        _ = ledger.record(.cancelled, orderID: S.orderID(1), atMillis: 3_000)
        #expect(ledger.order(S.orderID(1))?.state == .filled)
    }

    @Test func orderStagesNeverGoBackAndACancelledPartialFillKeepsItsSize() {
        var ledger = S.ledger([S.order(1, size: 10_000_000)])
        _ = ledger.record(.accepted, orderID: S.orderID(1), atMillis: 1_100)
        #expect(ledger.record(.submitted, orderID: S.orderID(1), atMillis: 1_200).isEmpty)
        #expect(ledger.order(S.orderID(1))?.submittedAtMillis == 1_000)
        _ = ledger.ingest(S.takerTrade("t1", order: 1, .buy, size: 3_000_000, price: 500_000))
        _ = ledger.record(.venueStatus("ORDER_STATUS_CANCELED"), orderID: S.orderID(1), atMillis: 4_000)
        let order = ledger.order(S.orderID(1))
        #expect(order?.state == .cancelled && order?.filled == Shares(micros: 3_000_000))
        #expect(ledger.record(.accepted, orderID: S.orderID(1), atMillis: 5_000).isEmpty)
        #expect(ledger.record(.venueStatus("SOMETHING_NEW"), orderID: S.orderID(1), atMillis: 5_000).isEmpty)
        #expect(ledger.record(.accepted, orderID: S.orderID(77), atMillis: 5_000).isEmpty)
        // Expiry and rejection are their own end states.
        var other = S.ledger([S.order(2, size: 1_000_000), S.order(3, size: 1_000_000)])
        _ = other.record(.venueStatus("CANCELED_EXPIRED_ORDER"), orderID: S.orderID(2), atMillis: 2_000)
        _ = other.record(.rejected(reason: "not enough balance"), orderID: S.orderID(3), atMillis: 2_000)
        #expect(other.order(S.orderID(2))?.state == .expired)
        #expect(other.order(S.orderID(3))?.state == .rejected && other.order(S.orderID(3))?.reason == "not enough balance")
    }

    @Test func theAveragePriceIsCostWeightedAndReducingRealizesAgainstIt() throws {
        var ledger = S.ledger([S.order(1, size: 40_000_000), S.order(2, .sell, size: 20_000_000)])
        _ = ledger.ingest(S.takerTrade("t1", order: 1, .buy, size: 10_000_000, price: 500_000))
        _ = ledger.ingest(S.takerTrade("t2", order: 1, .buy, size: 30_000_000, price: 540_000))
        var position = try #require(ledger.position(S.upKey))
        // (10 × 0.50 + 30 × 0.54) / 40 = 0.53
        #expect(position.averagePrice == Price(micros: 530_000) && position.size == Signed(micros: 40_000_000))
        #expect(position.realizedPnL == .zero)
        #expect(position.unrealizedPnL(mark: Price(micros: 550_000)) == Signed(micros: 800_000))
        _ = ledger.ingest(S.takerTrade("t3", order: 2, .sell, size: 20_000_000, price: 600_000))
        position = try #require(ledger.position(S.upKey))
        // 20 × (0.60 − 0.53) = 1.40 realized; the 20 left keep their 0.53 average.
        #expect(position.realizedPnL == Signed(micros: 1_400_000))
        #expect(position.size == Signed(micros: 20_000_000) && position.averagePrice == Price(micros: 530_000))
        #expect(position.unrealizedPnL(mark: Price(micros: 500_000)) == Signed(micros: -600_000))
    }

    @Test(arguments: [(winner: true, realized: Int64(9_400_000)), (winner: false, realized: Int64(-10_600_000))])
    func resolutionRealizesEachShareAtOneOrZero(winner: Bool, realized: Int64) throws {
        var ledger = S.ledger([S.order(1, size: 20_000_000)])
        _ = ledger.ingest(S.takerTrade("t1", order: 1, .buy, size: 20_000_000, price: 530_000))
        let update = ledger.resolve(market: S.market, winner: winner ? S.up : S.down, atMillis: 9_000)
        #expect(update.positions == [S.upKey] && update.resolutions.count == 1)
        let position = try #require(ledger.position(S.upKey))
        // Winner: 20 × (1 − 0.53) = 9.40; loser: 20 × (0 − 0.53) = −10.60.
        #expect(position.realizedPnL == Signed(micros: realized) && !position.isOpen && position.isResolved)
        #expect(ledger.resolve(market: S.market, winner: S.up, atMillis: 9_500).isEmpty)
        #expect(ledger.position(S.upKey) == position)
    }

    /// ★SET-02: MATCHED → RETRYING → FAILED puts position, average price, P&L, fees, order and
    /// slippage back exactly where they were before the fill.
    @Test func aFailedFillRestoresEveryValueItChanged() throws {
        let fees = FillLedger.Configuration(defaultFeeSchedule: try FeeSchedule(rate: "0.07", exponent: "1", takerOnly: true))
        var ledger = S.ledger([S.order(1, size: 30_000_000, expected: 500_000), S.order(2, .sell, size: 5_000_000, expected: 600_000),
                               S.order(3, size: 7_000_000, expected: 520_000)], configuration: fees)
        _ = ledger.ingest(S.takerTrade("t1", order: 1, .buy, size: 30_000_000, price: 510_000))
        _ = ledger.ingest(S.takerTrade("t2", order: 2, .sell, size: 5_000_000, price: 590_000, status: .confirmed))
        let before = ledger
        let statsBefore = ExecutionStats(ledger: before)

        let matched = ledger.ingest(S.takerTrade("ghost", order: 3, .buy, size: 7_000_000, price: 555_555, matchedAt: 5_000, observedAt: 5_000))
        #expect(matched.newFills.count == 1)
        #expect(ledger.position(S.upKey)?.book != before.position(S.upKey)?.book)
        #expect(ExecutionStats(ledger: ledger).slippage != statsBefore.slippage)
        let retrying = ledger.ingest(S.takerTrade("ghost", order: 3, .buy, size: 7_000_000, price: 555_555, status: .retrying, observedAt: 6_000))
        #expect(retrying.voided.isEmpty && ledger.fill(FillKey(tradeID: "ghost", orderID: S.orderID(3)))?.isProvisional == true)
        let failed = ledger.ingest(S.takerTrade("ghost", order: 3, .buy, size: 7_000_000, price: 555_555, status: .failed, observedAt: 7_000))
        #expect(failed.voided.map(\.key) == [FillKey(tradeID: "ghost", orderID: S.orderID(3))])

        let after = try #require(ledger.position(S.upKey))
        let prior = try #require(before.position(S.upKey))
        #expect(after.book == prior.book && after.confirmedBook == prior.confirmedBook)
        #expect(after.fees == prior.fees && after.fillCount == prior.fillCount)
        #expect(after.averagePrice == prior.averagePrice && after.realizedPnL == prior.realizedPnL)
        #expect(ledger.order(S.orderID(3))?.filled == Shares(micros: 0) && ledger.order(S.orderID(3))?.state == .submitted)
        let statsAfter = ExecutionStats(ledger: ledger)
        #expect(statsAfter.slippage == statsBefore.slippage && statsAfter.realizedPnLMicros == statsBefore.realizedPnLMicros)
        #expect(statsAfter.fills == statsBefore.fills && statsAfter.voidedFills == 1 && statsAfter.latency == statsBefore.latency)
        // The void is final: a late MATCHED or CONFIRMED does not bring the fill back.
        #expect(ledger.ingest(S.takerTrade("ghost", order: 3, .buy, size: 7_000_000, price: 555_555, status: .matched)).isEmpty)
        #expect(ledger.ingest(S.takerTrade("ghost", order: 3, .buy, size: 7_000_000, price: 555_555, status: .confirmed)).isEmpty)
        #expect(ledger.position(S.upKey)?.book == prior.book && ledger.counters.conflictingStatuses == 1)
    }

    @Test func voidingAFillInTheMiddleReplaysTheOthersWithoutIt() {
        let orders = [S.order(1, size: 10_000_000), S.order(2, size: 10_000_000), S.order(3, .sell, size: 12_000_000)]
        var ledger = S.ledger(orders)
        _ = ledger.ingest(S.takerTrade("a", order: 1, .buy, size: 10_000_000, price: 400_000))
        _ = ledger.ingest(S.takerTrade("b", order: 2, .buy, size: 10_000_000, price: 600_000))
        _ = ledger.ingest(S.takerTrade("c", order: 3, .sell, size: 12_000_000, price: 550_000))
        _ = ledger.ingest(S.takerTrade("b", order: 2, .buy, size: 10_000_000, price: 600_000, status: .failed))
        var survivors = S.ledger(orders)
        _ = survivors.ingest(S.takerTrade("a", order: 1, .buy, size: 10_000_000, price: 400_000))
        _ = survivors.ingest(S.takerTrade("c", order: 3, .sell, size: 12_000_000, price: 550_000))
        #expect(ledger.position(S.upKey)?.book == survivors.position(S.upKey)?.book)
        // 10 bought at 0.40, 12 sold at 0.55: 1.50 realized on 10, then 2 short at 0.55.
        #expect(ledger.position(S.upKey)?.realizedPnL == Signed(micros: 1_500_000))
        #expect(ledger.position(S.upKey)?.size == Signed(micros: -2_000_000))
        #expect(ledger.position(S.upKey)?.averagePrice == Price(micros: 550_000))
    }

    /// SET-04: CONFIRMED before MATCHED, MINED after CONFIRMED: one fill, status CONFIRMED.
    @Test func outOfOrderStatusesGiveOneFillThatNeverRegresses() throws {
        var ledger = S.ledger([S.order(1, size: 5_000_000)])
        let key = FillKey(tradeID: "t1", orderID: S.orderID(1))
        let confirmed = ledger.ingest(S.takerTrade("t1", order: 1, .buy, size: 5_000_000, price: 500_000, status: .confirmed))
        #expect(confirmed.newFills.count == 1)
        #expect(ledger.ingest(S.takerTrade("t1", order: 1, .buy, size: 5_000_000, price: 500_000, status: .matched)).isEmpty)
        #expect(ledger.ingest(S.takerTrade("t1", order: 1, .buy, size: 5_000_000, price: 500_000, status: .mined)).isEmpty)
        #expect(ledger.fill(key)?.status == .confirmed && ledger.fills.count == 1)
        #expect(ledger.position(S.upKey)?.confirmedSize == Signed(micros: 5_000_000))
        #expect(ledger.counters.newFills == 1 && ledger.counters.duplicates == 2)

        // Provisional steps move forward only; MINED and RETRYING may follow each other.
        var other = S.ledger([S.order(2, size: 5_000_000)])
        let key2 = FillKey(tradeID: "t2", orderID: S.orderID(2))
        _ = other.ingest(S.takerTrade("t2", order: 2, .buy, size: 5_000_000, price: 500_000, status: .mined))
        #expect(other.ingest(S.takerTrade("t2", order: 2, .buy, size: 5_000_000, price: 500_000, status: .matched)).isEmpty)
        _ = other.ingest(S.takerTrade("t2", order: 2, .buy, size: 5_000_000, price: 500_000, status: .retrying))
        #expect(other.fill(key2)?.status == .retrying)
        _ = other.ingest(S.takerTrade("t2", order: 2, .buy, size: 5_000_000, price: 500_000, status: .mined))
        #expect(other.fill(key2)?.status == .mined && other.fills.count == 1)
    }

    @Test func provisionalAndConfirmedSharesAreKeptApart() throws {
        var ledger = S.ledger([S.order(1, size: 10_000_000), S.order(2, size: 5_000_000), S.order(3, .sell, size: 4_000_000)])
        _ = ledger.ingest(S.takerTrade("t1", order: 1, .buy, size: 10_000_000, price: 500_000, status: .confirmed))
        _ = ledger.ingest(S.takerTrade("t2", order: 2, .buy, size: 5_000_000, price: 500_000, status: .matched))
        var position = try #require(ledger.position(S.upKey))
        #expect(position.size == Signed(micros: 15_000_000) && position.confirmedSize == Signed(micros: 10_000_000))
        #expect(position.provisionalSize == Signed(micros: 5_000_000) && position.sellableShares == Shares(micros: 10_000_000))
        // A provisional SELL already commits its shares: what is left to sell is 10 − 4.
        _ = ledger.ingest(S.takerTrade("t3", order: 3, .sell, size: 4_000_000, price: 520_000, status: .mined))
        position = try #require(ledger.position(S.upKey))
        #expect(position.sellableShares == Shares(micros: 6_000_000) && position.size == Signed(micros: 11_000_000))
        _ = ledger.ingest(S.takerTrade("t2", order: 2, .buy, size: 5_000_000, price: 500_000, status: .confirmed))
        _ = ledger.ingest(S.takerTrade("t3", order: 3, .sell, size: 4_000_000, price: 520_000, status: .confirmed))
        position = try #require(ledger.position(S.upKey))
        #expect(position.confirmedSize == position.size && position.provisionalSize == .zero)
        #expect(position.sellableShares == Shares(micros: 11_000_000))
    }

    @Test func theSameTradeFromRestAndTheUserChannelCountsOnce() throws {
        // The same trade as a REST-shaped object and as a user-channel frame (nautilus fixtures).
        let rest = try VenueFixtureTests.json("ws_user_trade.json")
        let push = try VenueFixtureTests.json("ws_user_trade_msg.json")
        let taker = "0x1234567890abcdef1234567890abcdef1234567890abcdef1234567890abcdef"
        let token = try TokenID(decimal: "71321045679252212594626385532706912750332728571942532289631379312455583992563")
        var ledger = FillLedger()
        _ = ledger.track(OrderRecord(orderID: OrderID(taker), actionID: "a1", market: "0xdd22472e552920b8438158ea7238bfadfa4f736aa4cee91a6b86c39ead110917",
                                     token: token, side: .buy, size: Shares(micros: 25_000_000), limitPrice: Price(micros: 500_000),
                                     expectedPrice: Price(micros: 500_000), createdAtMillis: 0))
        let first = ledger.ingest(json: push, source: .userChannel, observedAtMillis: 1_703_875_200_100)
        let second = ledger.ingest(json: rest, source: .rest, observedAtMillis: 1_703_875_201_000)
        #expect(first.newFills.count == 1 && second.isEmpty)
        #expect(ledger.fills.count == 1 && ledger.counters.duplicates == 1)
        let fill = try #require(ledger.fills.first)
        #expect(fill.size == Shares(micros: 25_000_000) && fill.price == Price(micros: 500_000) && fill.role == .taker)
        #expect(fill.status == .confirmed && fill.matchedAtMillis == 1_704_067_200_000)
    }

    /// The venue may write our order's hash in upper case in a trade (`taker_order_id`); the
    /// fill must still land on the order tracked under the lower-case hash we journaled — the
    /// ``OrderID`` read from the trade's JSON equals ours, with no lower-casing by hand.
    @Test func aTradeNamingOurOrderInUpperCaseFillsTheOrderTrackedInLowerCase() throws {
        var ledger = S.ledger([S.order(0xABCDEF, size: 10_000_000)])
        let shouted = "0x" + S.orderHash(0xABCDEF).dropFirst(2).uppercased()
        #expect(shouted != S.orderHash(0xABCDEF) && shouted.lowercased() == S.orderHash(0xABCDEF))
        let trade = try JSONParser.parse(#"""
            {"id": "t-case", "taker_order_id": "\#(shouted)", "market": "\#(S.market)", "asset_id": "\#(S.up)", "side": "BUY",
             "size": "4", "price": "0.5", "status": "MATCHED", "match_time": "2", "maker_orders": []}
            """#)
        let update = ledger.ingest(json: trade, source: .rest, observedAtMillis: 2_100)
        #expect(update.dropped == nil && update.newFills.count == 1, "the trade is ours, not foreign")
        #expect(ledger.fills(orderID: S.orderID(0xABCDEF)).map(\.size) == [Shares(micros: 4_000_000)])
        #expect(ledger.order(OrderID(shouted))?.filled == Shares(micros: 4_000_000))
    }

    @Test func onlyOurLegsCountWithTheirOwnSizeAndPrice() throws {
        // Our resting SELL (order 1) is one of two makers; the taker and the other maker are not ours.
        var ledger = S.ledger([S.order(1, .sell, size: 50_000_000, expected: 520_000)])
        let trade = S.trade("t1", taker: S.foreignLeg(.buy, size: 30_000_000, price: 530_000, order: 9001),
                            makers: [S.foreignLeg(.sell, size: 10_000_000, price: 510_000, order: 9002), S.leg(1, .sell, size: 20_000_000, price: 540_000)])
        let update = ledger.ingest(trade)
        let fill = try #require(update.newFills.first)
        #expect(update.newFills.count == 1 && fill.role == .maker && fill.side == .sell)
        #expect(fill.size == Shares(micros: 20_000_000) && fill.price == Price(micros: 540_000))
        // A SELL 0.02 above the expected price is price improvement: negative slippage.
        #expect(ledger.slippage(of: fill)?.perShare == Signed(micros: -20_000))
        // Our taker order matched against our own resting order: two fills from one trade.
        var both = S.ledger([S.order(2, size: 5_000_000), S.order(3, .sell, size: 5_000_000)])
        let selfTrade = S.trade("t2", taker: S.leg(2, .buy, size: 5_000_000, price: 500_000), makers: [S.leg(3, .sell, size: 5_000_000, price: 500_000)])
        #expect(both.ingest(selfTrade).newFills.map(\.role) == [.taker, .maker])
        #expect(both.position(S.upKey)?.size == .zero)
    }

    /// SET-09: a trade with something wrong in it is dropped whole, counted, and leaves no trace.
    @Test func aMalformedOrForeignTradeIsDroppedWhole() throws {
        let orders = [S.order(1, size: 10_000_000), S.order(2, .sell, size: 10_000_000)]
        var ledger = S.ledger(orders)
        _ = ledger.ingest(S.takerTrade("seen", order: 1, .buy, size: 2_000_000, price: 500_000))
        let before = ledger.snapshot
        let bad: [(TradeObservation, LedgerUpdate.DropReason)] = [
            (S.takerTrade("f", order: 9005, .buy, size: 1_000_000, price: 500_000), .foreign),
            (S.trade("r", taker: S.leg(1, .buy, size: 2_000_000, price: 500_000),
                     makers: [S.foreignLeg(.sell, size: 1_000_000, price: 500_000, order: 9000), S.foreignLeg(.sell, size: 1_000_000, price: 500_000, order: 9000)]),
             .repeatedOrder(S.orderID(9000))),
            // Our second leg is impossible (wrong token), so our first, valid leg is not applied either.
            (S.trade("w", taker: S.leg(1, .buy, size: 2_000_000, price: 500_000), makers: [S.leg(2, .sell, size: 2_000_000, price: 500_000, token: S.down)]),
             .invalidLeg(orderID: S.orderID(2), problem: "token \(S.down) is not the order's \(S.up)")),
            (S.takerTrade("z", order: 1, .buy, size: 0, price: 500_000), .invalidLeg(orderID: S.orderID(1), problem: "size is zero")),
            (S.takerTrade("p", order: 1, .buy, size: 1_000_000, price: 1_000_000), .invalidLeg(orderID: S.orderID(1), problem: "price 1 is outside (0, 1)")),
            (S.takerTrade("s", order: 1, .sell, size: 1_000_000, price: 500_000), .invalidLeg(orderID: S.orderID(1), problem: "side SELL is not the order's BUY")),
            (S.takerTrade("seen", order: 1, .buy, size: 3_000_000, price: 500_000, status: .confirmed),
             .conflictingContent(FillKey(tradeID: "seen", orderID: S.orderID(1)))),
            (S.takerTrade("", order: 1, .buy, size: 1_000_000, price: 500_000), .missingTradeID),
        ]
        for (trade, reason) in bad {
            let update = ledger.ingest(trade)
            #expect(update.dropped == reason && update.isEmpty, "\(trade.tradeID): \(String(describing: update.dropped))")
        }
        var nonDecimal = try VenueFixtureTests.json("ws_user_trade_msg.json")
        if case .object(var members) = nonDecimal {
            members = members.map { $0.0 == "size" ? ("size", .string("25.0abc")) : $0 }
            nonDecimal = .object(members)
        }
        guard case .unreadable? = ledger.ingest(json: nonDecimal, source: .userChannel, observedAtMillis: 1).dropped else {
            Issue.record("a non-decimal size was not dropped as unreadable"); return
        }
        let after = ledger.snapshot
        #expect(after.fills == before.fills && after.orders == before.orders)
        #expect(ledger.counters.droppedForeign == 1 && ledger.counters.droppedMalformed == Int64(bad.count))
    }

    @Test func slippageIsPositiveWhenWorseForUsOnBothSides() {
        let buy = Slippage(side: .buy, price: Price(micros: 530_000), expected: Price(micros: 520_000))
        let sell = Slippage(side: .sell, price: Price(micros: 510_000), expected: Price(micros: 520_000))
        let improved = Slippage(side: .buy, price: Price(micros: 515_000), expected: Price(micros: 520_000))
        #expect(buy.perShare == Signed(micros: 10_000) && sell.perShare == Signed(micros: 10_000))
        #expect(improved.perShare == Signed(micros: -5_000))
        // 0.01 / 0.52 = 1.923%: 192.3 bps; −0.005 / 0.52 = −96.2 bps (half away from zero).
        #expect(buy.relativeMicros == 19_231 && buy.basisPointsText == "192.3")
        #expect(improved.relativeMicros == -9_615 && improved.basisPointsText == "-96.2")
        #expect(Slippage(side: .sell, price: Price(micros: 500_000), expected: Price(micros: 500_000)).basisPointsText == "0.0")
    }

    @Test func latencyRunsFromSubmitToTheMatch() throws {
        var ledger = S.ledger([S.order(1, size: 10_000_000, createdAt: 10_000)])
        _ = ledger.ingest(S.takerTrade("t1", order: 1, .buy, size: 4_000_000, price: 500_000, matchedAt: 10_041))
        _ = ledger.ingest(S.takerTrade("t2", order: 1, .buy, size: 6_000_000, price: 500_000, matchedAt: 12_000))
        let fills = ledger.fills(orderID: S.orderID(1))
        #expect(fills.compactMap { ledger.latencyMillis(of: $0) } == [41, 2_000])
        #expect(ledger.firstFillLatencyMillis(orderID: S.orderID(1)) == 41)
        // A match time in the submit's own second (one-second venue resolution) reads as 0, not negative.
        _ = ledger.ingest(S.takerTrade("t1", order: 1, .buy, size: 4_000_000, price: 500_000, status: .failed))
        #expect(ledger.firstFillLatencyMillis(orderID: S.orderID(1)) == 2_000)
        var early = S.ledger([S.order(2, size: 1_000_000, createdAt: 10_400)])
        _ = early.ingest(S.takerTrade("t3", order: 2, .buy, size: 1_000_000, price: 500_000, matchedAt: 10_000))
        #expect(early.firstFillLatencyMillis(orderID: S.orderID(2)) == 0)
    }

    @Test func feesFollowTheMarketScheduleAndOnlyTakersPayWhenTakerOnly() throws {
        let schedule = try FeeSchedule(rate: "0.07", exponent: "1", takerOnly: true)
        var ledger = S.ledger([S.order(1, size: 100_000_000), S.order(2, .sell, size: 100_000_000)],
                              configuration: FillLedger.Configuration(feeSchedules: [S.market: schedule]))
        let trade = S.trade("t1", taker: S.leg(1, .buy, size: 100_000_000, price: 500_000), makers: [S.leg(2, .sell, size: 100_000_000, price: 500_000)])
        let fills = ledger.ingest(trade).newFills
        // Taker: 100 × 0.07 × 0.25 = 1.75 pUSD; maker: nothing.
        #expect(fills.map(\.fee) == [Collateral(micros: 1_750_000), Collateral(micros: 0)])
        #expect(ledger.position(S.upKey)?.fees == Collateral(micros: 1_750_000))
    }

    @Test func venueTimesAreReadInSecondsMillisecondsOrISO() {
        #expect(VenueTime.millis("1672290701") == 1_672_290_701_000)
        #expect(VenueTime.millis("1703875200000") == 1_703_875_200_000)
        #expect(VenueTime.millis("2024-01-01T00:00:10Z") == 1_704_067_210_000)
        #expect(VenueTime.millis("2024-01-01T00:00:10.250Z") == 1_704_067_210_250)
        #expect(VenueTime.millis("") == nil && VenueTime.millis("soon") == nil)
    }
}
