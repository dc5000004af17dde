import Foundation
import Testing
import Bus
import PolypipeCore
import VenueClient

/// GTD orders, market BUYs by amount and batches, through exec-proc as a process against
/// clob-sim.
extension ProcessSuites {
@Suite(.serialized) struct OrderKindStackTests {
    /// A GTD order rests, the sim expires it (its lead raised so it does within seconds instead
    /// of minutes), and exec-proc reports it CANCELED "expired" and frees its exposure.
    @Test func aGTDOrderExpiredByTheVenueIsReportedAndItsExposureFreed() throws {
        let stack = try ExecStack(simArguments: ["--gtd-lead-seconds", "238"])
        let window = try stack.currentWindow()
        var action = ExecStack.action(id: "gtd-1", market: window.market, token: window.token, price: 450_000)
        action.timeInForce = .gtd
        action.expiresAtMs = BusClock.nowMillis() + 181_000  // signed expiration ≈ now + 241 s; the sim acts 238 s early
        try stack.send(action)
        let accepted = try stack.event(for: "gtd-1")
        #expect(accepted.outcome == .accepted, "\(accepted.reason)")
        #expect(accepted.timeInForce == .gtd)
        #expect(accepted.expirationS == action.expiresAtMs / 1000 + 60)
        #expect(try stack.control(.status).status.totalExposureMicros > 0, "the resting order counts")

        let expired = try stack.event(for: "gtd-1", after: 1, timeoutSeconds: 15)
        #expect(expired.outcome == .canceled)
        #expect(expired.reason == "expired")
        #expect(expired.orderID == accepted.orderID)
        let venueOrder = try stack.client().order(id: OrderID(accepted.orderID))
        #expect(venueOrder?.status == .canceledExpiredOrder)
        #expect(try stack.control(.status).status.totalExposureMicros == 0, "its exposure is released")
    }

    /// A FOK BUY of $5 at worst 0.55 against the ask of 0.50: filled on entry.
    @Test func aMarketBuyByAmountFills() throws {
        let stack = try ExecStack()
        let window = try stack.currentWindow()
        var action = ExecStack.action(id: "amount-1", market: window.market, token: window.token, size: 0, price: 550_000)
        action.timeInForce = .fok
        action.amountMicros = 5_000_000
        try stack.send(action)
        let event = try stack.event(for: "amount-1")
        #expect(event.outcome == .accepted, "\(event.reason)")
        #expect(event.venueStatus.lowercased() == "matched")
        #expect(event.amountMicros == 5_000_000)
        let balance = try stack.client().balanceAllowance(.conditional, tokenID: try TokenID(decimal: window.token), signatureType: .eoa)
        #expect((balance.balance.uint64Value ?? 0) >= 9_090_000, "$5 at 0.50-0.55 buys at least 9.09 shares")
    }

    /// ★SUB-11: a 5-leg batch whose answer times out (the sim placed it) is never posted again:
    /// each leg is unknown, then resolved by its own hash; the sim holds exactly 5 orders.
    @Test func aBatchWhoseAnswerTimesOutIsNeverPostedAgain() throws {
        let stack = try ExecStack(execArguments: ["--request-timeout-ms", "500"])
        let window = try stack.currentWindow()
        let singlesBefore = try stack.get("/admin/state")["post_order_requests"]?.scalarText  // the maker's quotes
        try stack.post("/admin/faults", #"{"timeout_but_placed": 1, "withheld_ms": 3000}"#)
        var batch = Polypipe_Bus_V1_ActionBatch()
        batch.id = "b-1"
        batch.actions = (0..<5).map { ExecStack.action(id: "b-1-\($0)", market: window.market, token: window.token, price: 450_000) }
        try stack.send(batch: batch)
        for leg in batch.actions {
            let first = try stack.event(for: leg.id)
            #expect(first.outcome == .unknown, "\(leg.id): \(first.reason)")
            #expect(first.batchID == "b-1")
            let resolved = try stack.event(for: leg.id, after: 1)
            #expect(resolved.outcome == .accepted, "\(leg.id): \(resolved.reason)")
            #expect(resolved.orderID == first.orderID)
        }
        let state = try stack.get("/admin/state")
        #expect(state["post_orders_requests"]?.scalarText == "1", "one POST /orders, never a second")
        #expect(state["post_order_requests"]?.scalarText == singlesBefore, "no leg sent again on its own")
        #expect(try stack.client().openOrders().count == 5)
    }
}
}
