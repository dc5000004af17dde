import Foundation
import PolypipeTesting
import Testing
import Bus
import PolypipeCore

/// ★CAN-02 end to end: a cancel that loses the race to a fill. clob-sim fills the resting order
/// just before it processes the cancel (`fill_before_cancel`) and answers `not_canceled` "Order
/// already matched"; exec-proc must not mark the order cancelled, fill-proc records the fill,
/// and recon-proc finds no divergence once the grace period has passed.
extension ProcessSuites {
@Suite(.serialized) struct CancelRaceStackTests {
    @Test func aCancelThatLosesTheRaceToAFillLeavesTheFillCounted() throws {
        let stack = try FillProcTests.stack()
        let window = try stack.currentWindow()
        let fill = try FillProcTests.startFillProc(stack)
        defer { kill(fill.processIdentifier, SIGKILL); fill.waitUntilExit() }
        let recon = try ReconProcTests.startReconProc(stack)
        defer { kill(recon.processIdentifier, SIGKILL); recon.waitUntilExit() }
        let cancels = try ZmqSocket(stack.context, .subscribe)
        try cancels.connect(stack.layout.events)
        try cancels.subscribe(BusLayout.Topic.canceled)
        usleep(200_000)

        // A BUY resting 0.10 below the best ask (inside exec-proc's price band).
        let price = (max(try stack.bestAsk(window.token), 150_000) - 100_000) / 10_000 * 10_000
        try stack.send(ExecStack.action(id: "race-1", market: window.market, token: window.token, price: price))
        let placed = try stack.event(for: "race-1")
        #expect(placed.outcome == .accepted && placed.venueStatus == "live", "\(placed.outcome) \(placed.reason)")

        try stack.post("/admin/faults", #"{"fill_before_cancel": 1}"#)
        var request = Polypipe_Bus_V1_CancelRequest()
        request.id = "cancel-race-1"
        request.orderID = placed.orderID
        request.createdAtMs = BusClock.nowMillis()
        request.reason = "CAN-02"
        try stack.send(cancel: request)

        var answer: Polypipe_Bus_V1_CancelEvent?
        let deadline = Date().addingTimeInterval(10)
        while answer == nil, Date() < deadline {
            guard let frames = try cancels.receive(timeoutMilliseconds: 200) else { continue }
            let envelope = try Envelope(frames: frames)
            let event = try Polypipe_Bus_V1_CancelEvent(busPayload: envelope.payload, topic: envelope.topic)
            if event.requestID == request.id { answer = event }
        }
        let event = try #require(answer, "no cancel event for \(request.id)")
        #expect(event.outcome == .cancelFailed, "outcome \(event.outcome)")
        #expect(event.canceled.isEmpty)
        #expect(event.notCanceled[placed.orderID.lowercased()]?.contains("already matched") == true
                || event.notCanceled[placed.orderID]?.contains("already matched") == true, "not_canceled: \(event.notCanceled)")

        // fill-proc records the fill and the order as FILLED, not CANCELLED.
        let state = try FillProcTests.waitFor(stack, "race-1 filled") { state in
            state.orders.contains { $0.actionID == "race-1" && $0.state == .filled }
        }
        #expect(state.fills.filter { $0.actionID == "race-1" }.reduce(0) { $0 + $1.sizeMicros } == 5_000_000)
        // exec-proc never published the order as cancelled.
        usleep(1_000_000)
        #expect(throws: ExecStack.StackError.self) { try stack.event(for: "race-1", after: 1, timeoutSeconds: 2) }
        // No longer among exec-proc's open orders, and recon-proc in sync past its grace period.
        let snapshot = try RequestClient(context: stack.context, endpoint: stack.layout.snapshot)
            .call(Polypipe_Bus_V1_SnapshotRequest(), expecting: Polypipe_Bus_V1_Snapshot.self, timeoutMilliseconds: 2_000)
        #expect(!snapshot.openOrders.contains { $0.orderID.lowercased() == placed.orderID.lowercased() })
        usleep(2_000_000)
        let report = try ReconProcTests.waitForReport(stack, "in sync after the lost cancel race") { $0.inSync && $0.positionsCompared >= 1 }
        #expect(report.alarmsRaised == 0, "alarms: \(report.active.map { "\($0.kind) \($0.subject)" })")
    }
}
}
