import Foundation
import PolypipeTesting
import Testing
import Bus
import PolypipeCore

/// A replace under venue faults, against clob-sim and exec-proc as processes: whatever the
/// venue does, the sim never holds both orders, and exec-proc's exposure never counts both.
/// - every request 5xx: the cancel's outcome is unknown, so the new order is refused and the
///   old one stays, tracked and counted;
/// - the new order's answer withheld past the timeout (it was placed): unknown, then resolved
///   by its own hash; only the new order rests.
extension ProcessSuites {
@Suite(.serialized) struct ReplaceFaultStackTests {
    @Test func aReplaceUnderFaultsNeverLeavesBothOrdersLiveNorCountsBoth() throws {
        let stack = try ExecStack(simArguments: ["--windows", "5m,15m"],
                                  execArguments: ["--request-timeout-ms", "1500", "--unknown-grace-ms", "8000"])
        let window = try stack.currentWindow()
        let price = (max(try stack.bestAsk(window.token), 150_000) - 100_000) / 10_000 * 10_000
        try stack.send(ExecStack.action(id: "old", market: window.market, token: window.token, price: price))
        let old = try stack.event(for: "old")
        #expect(old.outcome == .accepted, "\(old.outcome) \(old.reason)")
        let oneOrder = try stack.control(.status).status.totalExposureMicros
        // The sim's own counts (every client's orders): only differences are ours.
        func simCount(_ key: String) throws -> JSONValue? { try stack.get("/admin/state")[key] }
        let openBefore = try simCount("client_open_orders")
        let postsBefore = try #require(try simCount("post_order_requests")?.scalarText.flatMap { Int($0) })
        #expect(oneOrder > 0)

        func replace(_ id: String, cancelling action: String, at newPrice: UInt64) throws {
            var request = Polypipe_Bus_V1_ReplaceRequest()
            request.cancelActionID = action
            request.place = ExecStack.action(id: id, market: window.market, token: window.token, price: newPrice)
            try stack.send(replace: request)
        }
        func ours() throws -> [String] { try stack.client().openOrders().map { $0.id.description.lowercased() }.sorted() }

        // 1. Every request answered 500: no proof the old order left the book.
        try stack.post("/admin/faults", #"{"server_error_ppm": 1000000}"#)
        try replace("new-1", cancelling: "old", at: price - 10_000)
        let refused = try stack.event(for: "new-1")
        try stack.post("/admin/reset-faults", "{}")
        #expect(refused.outcome == .refused && refused.orderID.isEmpty, "\(refused.outcome) \(refused.reason)")
        #expect(try ours() == [old.orderID.lowercased()])
        #expect(try simCount("client_open_orders") == openBefore)
        var status = try stack.control(.status).status
        #expect(status.openOrders == 1 && status.totalExposureMicros == oneOrder, "open \(status.openOrders), exposure \(status.totalExposureMicros)")

        // 2. The old order is cancelled; the new one is placed but its answer is withheld.
        try stack.post("/admin/faults", #"{"timeout_but_placed": 1, "withheld_ms": 2500}"#)
        try replace("new-2", cancelling: "old", at: price - 10_000)
        let unknown = try stack.event(for: "new-2")
        #expect(unknown.outcome == .unknown, "\(unknown.outcome) \(unknown.reason)")
        let resolved = try stack.event(for: "new-2", after: 1, timeoutSeconds: 15)
        #expect(resolved.outcome == .accepted && resolved.orderID == unknown.orderID, "\(resolved.outcome) \(resolved.reason)")
        #expect(try ours() == [unknown.orderID.lowercased()])
        status = try stack.control(.status).status
        #expect(status.openOrders == 1 && status.totalExposureMicros < oneOrder, "open \(status.openOrders), exposure \(status.totalExposureMicros)")
        #expect(try simCount("client_open_orders") == openBefore)
        #expect(try simCount("post_order_requests") == .number("\(postsBefore + 1)"), "one POST /order for new-2, never sent again")
    }
}
}
