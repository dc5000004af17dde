import Testing
import Bus
import Dashboard
import PolypipeCore

/// The dashboard's model: folded from bus messages, bounded, and shown as the page's JSON.
@Suite struct DashboardModelTests {
    static func message(_ topic: String, _ payload: [UInt8], at millis: Int64 = 1_000, publisher: BusTap.Publisher = .exec) -> BusTap.Message {
        BusTap.Message(publisher: publisher, envelope: Envelope(topic: topic, source: "test", epoch: 1, sequence: 1, sentAtNanos: 0, payload: payload),
                       receivedAtMillis: millis)
    }

    static func order(_ id: String, status: String = "live") -> Polypipe_Bus_V1_OrderEvent {
        var event = Polypipe_Bus_V1_OrderEvent()
        event.orderID = id
        event.actionID = "a-" + id
        event.outcome = .accepted
        event.venueStatus = status
        event.side = .buy
        event.sizeMicros = 5_000_000
        event.limitPriceMicros = 450_000
        event.actionCreatedAtMs = 1_000
        event.receivedAtNs = 1_000_800_000   // 800 µs
        event.sentAtNs = 1_002_000_000       // 1.2 ms
        event.answeredAtNs = 1_032_000_000   // 30 ms
        return event
    }

    @Test func ordersFillsPositionsAndStagesReachThePage() throws {
        var model = DashboardModel()
        model.apply(Self.message(BusLayout.Topic.order, Self.order("0xorder-resting").busPayload))
        model.apply(Self.message(BusLayout.Topic.order, Self.order("0xorder-filled", status: "matched").busPayload))
        var fill = Polypipe_Bus_V1_Fill()
        fill.tradeID = "trade-1"
        fill.orderID = "0xorder-filled"
        fill.sizeMicros = 5_000_000
        fill.priceMicros = 440_000
        fill.settlement = .matched
        fill.matchedAtMs = 2_000
        fill.latencyMs = 0
        fill.slippageMicros = -10_000
        fill.hasSlippage_p = true
        model.apply(Self.message(BusLayout.Topic.fill, fill.busPayload, publisher: .fill))
        fill.settlement = .confirmed
        fill.settlementChangedAtMs = 7_500
        model.apply(Self.message(BusLayout.Topic.fill, fill.busPayload, publisher: .fill))

        var state = Polypipe_Bus_V1_FillState()
        var position = Polypipe_Bus_V1_Position()
        position.tokenID = "12345678901234567890"
        position.sizeMicros = 5_000_000
        position.realizedPnlMicros = -30_000
        position.unrealizedPnlMicros = 250_000
        state.positions = [position]
        state.realizedPnlMicros = -30_000
        var resting = Polypipe_Bus_V1_OrderStatus()
        resting.orderID = "0xorder-resting"
        resting.state = .open
        var filled = Polypipe_Bus_V1_OrderStatus()
        filled.orderID = "0xorder-filled"
        filled.state = .filled
        state.orders = [resting, filled]
        model.apply(Self.message(BusLayout.Topic.position, state.busPayload, at: 8_000, publisher: .fill))

        let page = model.json(nowMillis: 9_000)
        #expect(model.fills.count == 1 && model.fills[0].settlement == "CONFIRMED", "a settling fill is updated in place")
        guard case .array(let open)? = page["open_orders"], case .array(let orders)? = page["orders"],
              case .array(let positions)? = page["positions"], case .array(let latency)? = page["latency"] else {
            Issue.record("page: \(page)"); return
        }
        #expect(open.count == 1 && open[0]["order_id"]?.scalarText == "…-resting", "fill-proc says which is still resting: \(open)")
        #expect(orders.count == 2)
        #expect(positions.first?["realized"]?.scalarText == "-0.03" && positions.first?["unrealized"]?.scalarText == "+0.25")
        #expect(positions.first?["token"]?.scalarText == "…34567890")
        #expect(page["fill_rate"]?.scalarText == "50.00%", "one of two accepted orders filled")
        let stages = Dictionary(uniqueKeysWithValues: latency.compactMap { row in row["stage"]?.scalarText.map { ($0, row) } })
        #expect(stages["received"]?["p50"]?.scalarText == "800 µs" && stages["sent"]?["p50"]?.scalarText == "1.2 ms")
        #expect(stages["answered"]?["p50"]?.scalarText == "30.0 ms" && stages["answered"]?["count"]?.scalarText == "2")
        #expect(stages["first_fill"]?["count"]?.scalarText == "1" && stages["confirmed"]?["p50"]?.scalarText == "5.50 s")
        #expect(page["slippage"]?["p50"]?.scalarText == "-0.0100")
    }

    @Test func theModelStaysBoundedAndPlotsOnePointPerSecond() {
        var model = DashboardModel()
        model.limits.orders = 10
        for index in 0..<25 { model.apply(Self.message(BusLayout.Topic.order, Self.order("0x\(index)").busPayload)) }
        #expect(model.orders.count == 10 && model.orders.first?.orderID == "0x15", "the newest 10")
        for millis in [1_000, 1_400, 1_900, 2_100, 3_000] as [Int64] {
            var state = Polypipe_Bus_V1_FillState()
            state.realizedPnlMicros = millis
            model.apply(Self.message(BusLayout.Topic.position, state.busPayload, at: millis, publisher: .fill))
        }
        #expect(model.pnl.map(\.atMillis) == [1_900, 2_100, 3_000], "the latest state of each second")
        // A malformed payload is counted, never applied.
        model.apply(Self.message(BusLayout.Topic.status, [0xFF, 0xFF]))
        #expect(model.undecodable == 1 && model.exec.state == "unknown")
    }
}
