import Testing
import Bus
import PolypipeCore
import Reconciliation
import VenueClient

/// What recon-proc makes of its peers' messages: the paper book follows accepted actions and
/// only the venue's own word about an order corrects it.
@Suite struct ReconInputsTests {
    static let market = "0xmarket"
    static let token = try! TokenID(decimal: "1234567")

    static func accepted(_ action: String, order: String, size: UInt64 = 5_000_000, price: UInt64 = 500_000) -> Polypipe_Bus_V1_OrderEvent {
        var event = Polypipe_Bus_V1_OrderEvent()
        event.actionID = action
        event.orderID = order
        event.market = market
        event.tokenID = token.description
        event.side = .buy
        event.sizeMicros = size
        event.limitPriceMicros = price
        event.expectedPriceMicros = price
        event.outcome = .accepted
        event.sentAtNs = 1_000_000_000_000
        return event
    }

    static func order(_ action: String, id: String, state: Polypipe_Bus_V1_OrderLifecycle, matched: UInt64) -> Polypipe_Bus_V1_OrderStatus {
        var order = Polypipe_Bus_V1_OrderStatus()
        order.actionID = action
        order.orderID = id
        order.market = market
        order.tokenID = token.description
        order.side = .buy
        order.sizeMicros = 5_000_000
        order.matchedMicros = matched
        order.state = state
        order.expectedPriceMicros = 500_000
        order.updatedAtMs = 2_000
        return order
    }

    func paperSize(_ inputs: ReconInputs) -> Int64 { inputs.paper.positions.first?.size.micros ?? 0 }

    @Test func anAcceptedActionCountsInFullUntilTheVenueSaysOtherwise() {
        var inputs = ReconInputs()
        inputs.apply([Self.accepted("a1", order: "0xA1"), Self.accepted("a2", order: "0xA2")], nowMillis: 1_000)
        inputs.apply([Self.accepted("a1", order: "0xA1")], nowMillis: 1_100)  // a snapshot repeats it: once
        #expect(paperSize(inputs) == 10_000_000)

        // a1's fill was voided (FAILED): fill-proc shows its order open with nothing matched.
        // That is exactly the discrepancy to report, so the paper keeps it.
        var state = Polypipe_Bus_V1_FillState()
        state.orders = [Self.order("a1", id: "0xa1", state: .open, matched: 0), Self.order("a2", id: "0xa2", state: .filled, matched: 5_000_000)]
        inputs.apply(fillState: state, nowMillis: 3_000)
        #expect(paperSize(inputs) == 10_000_000)

        // a2 rests on the venue with 2 shares matched: the paper follows the venue's order.
        var resting = OpenOrder.sample(id: "0xA2", matched: 2_000_000)
        inputs.apply(venueOpenOrders: [resting], nowMillis: 4_000)
        #expect(paperSize(inputs) == 7_000_000)
        // It ends cancelled with 3 matched.
        state.orders = [Self.order("a1", id: "0xa1", state: .open, matched: 0), Self.order("a2", id: "0xa2", state: .cancelled, matched: 3_000_000)]
        inputs.apply(fillState: state, nowMillis: 5_000)
        #expect(paperSize(inputs) == 8_000_000)
        resting = OpenOrder.sample(id: "0xB9", matched: 0)  // not ours: ignored
        inputs.apply(venueOpenOrders: [resting], nowMillis: 6_000)
        #expect(paperSize(inputs) == 8_000_000)
    }

    /// An order whose answer was lost (a 5xx the venue may not have acted on) is not an accepted
    /// action: fill-proc's "submitted" leaves the paper alone; once the venue shows the order,
    /// it counts, its grace period starting then.
    @Test func anOrderWithAnUnknownAnswerEntersThePaperOnlyOnceTheVenueShowsIt() {
        var inputs = ReconInputs()
        var state = Polypipe_Bus_V1_FillState()
        var unknown = Self.order("u1", id: "0xu1", state: .submitted, matched: 0)
        unknown.submittedAtMs = 1_000
        state.orders = [unknown, Self.order("p1", id: "0xp1", state: .pending, matched: 0)]
        inputs.apply(fillState: state, nowMillis: 2_000)
        #expect(inputs.paper.positions.isEmpty)
        unknown.state = .open
        state.orders = [unknown]
        inputs.apply(fillState: state, nowMillis: 9_000)
        #expect(paperSize(inputs) == 5_000_000)
        #expect(inputs.paper.positions.first?.lastChangeMillis == 9_000)
    }
}

extension OpenOrder {
    /// A resting BUY of 5 shares at 0.50 on the test token, as `GET /data/orders` lists it.
    static func sample(id: String, matched: UInt64) -> OpenOrder {
        let json = #"{"id": "\#(id)", "status": "LIVE", "market": "\#(ReconInputsTests.market)", "asset_id": "\#(ReconInputsTests.token)", "side": "BUY", "original_size": "5", "size_matched": "\#(MicroUnits.format(matched))", "price": "0.5", "associate_trades": []}"#
        return try! OpenOrder(json: try! JSONParser.parse(Array(json.utf8)))
    }
}

@Suite struct DailyLossWatchTests {
    @Test func aRealizedLossReachingTheLimitIsAFindingAndANewDayStartsOver() {
        var watch = DailyLossWatch(limit: Collateral(micros: 10_000_000))
        let day = Int64(20_000) * 86_400_000
        #expect(watch.observe(realizedMicros: 5_000_000, nowMillis: day + 1_000, severity: .critical) == nil)  // the day's start: +5
        #expect(watch.observe(realizedMicros: -4_999_999, nowMillis: day + 2_000, severity: .critical) == nil)  // lost 9.999999
        let finding = watch.observe(realizedMicros: -5_000_000, nowMillis: day + 3_000, severity: .critical)    // lost exactly 10
        #expect(finding?.kind == .dailyLoss && finding?.severity == .critical)
        #expect(finding?.message == "realized loss today 10 pUSD reached the daily limit 10 pUSD")
        // Gains do not count as loss; the next UTC day starts from where the last one ended.
        #expect(watch.observe(realizedMicros: -5_000_000, nowMillis: day + 86_400_000, severity: .critical) == nil)
        #expect(watch.observe(realizedMicros: -14_000_000, nowMillis: day + 86_401_000, severity: .critical) == nil)
        #expect(watch.observe(realizedMicros: -15_000_000, nowMillis: day + 86_402_000, severity: .critical) != nil)
    }
}
