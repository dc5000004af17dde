import Foundation
import Logging
import Synchronization
import Testing
import PolypipeCore
import VenueClient

/// LIFE-06: a POST answered `status: "delayed"` (the taker delay, spec §4.1, §9) is accepted and
/// not filled: the order stays live and counts as exposure while the venue holds it, even when
/// the venue does not list it among the open orders, and ends as the venue says.
@Suite struct ExecutorDelayedTests {
    /// Answers every order `delayed`; lists no open order; answers `GET /data/order/{id}` with
    /// `status` (nil: 404).
    final class Venue: HTTPTransport {
        let status = Mutex<String?>("ORDER_STATUS_DELAYED")

        func send(_ request: VenueClient.HTTPRequest) throws(TransportError) -> HTTPResponse {
            let path = String(request.target.split(separator: "?").first ?? "")
            func ok(_ text: String) -> HTTPResponse { HTTPResponse(status: 200, headers: [], body: Array(text.utf8)) }
            let market = ExecutorPropertyTests.markets[0]
            switch path {
            case "/order":
                return ok(#"{"success": true, "errorMsg": "", "orderID": "\#(ExecutorPropertyTests.orderID(ofBody: request.body))", "status": "delayed", "makingAmount": "", "takingAmount": "", "tradeIDs": [], "transactionsHashes": []}"#)
            case _ where path.hasPrefix("/data/order/"):
                let id = String(path.dropFirst("/data/order/".count))
                guard let status = status.withLock({ $0 }) else { return HTTPResponse(status: 404, headers: [], body: Array(#"{"error": "Order not found"}"#.utf8)) }
                return ok(#"{"id": "\#(id)", "status": "\#(status)", "market": "\#(market.condition)", "asset_id": "\#(market.tokens[0])", "side": "BUY", "original_size": "5", "size_matched": "0", "price": "0.5", "associate_trades": []}"#)
            default:
                return try ExecutorPropertyTests.FakeVenue().send(request)
            }
        }
    }

    @Test func aDelayedOrderIsAcceptedNotFilledAndKeepsItsExposureUntilTheVenueEndsIt() throws {
        let venue = Venue()
        let test = try TestExecutor(venue: venue)
        defer { test.remove() }
        let executor = test.executor

        let event = executor.handle(ExecutorSubmissionTests.action("delayed-1"), receivedAtNanos: BusClock.nowNanos())
        #expect(event.outcome == .accepted)
        #expect(event.venueStatus == "delayed")
        #expect(try test.journal.entry(actionID: "delayed-1")?.state == .accepted, "accepted, not filled")
        #expect(executor.risk.totalExposure == 2_500_000)

        // The venue holds it and does not list it as open: still ours, still exposure.
        try executor.resynchronize()
        #expect(executor.live[event.orderID.lowercased()] != nil)
        #expect(try test.journal.entry(actionID: "delayed-1")?.state == .accepted)
        #expect(executor.risk.totalExposure == 2_500_000)

        // The delay ends in a match: filled, no longer live.
        venue.status.withLock { $0 = "ORDER_STATUS_MATCHED" }
        try executor.resynchronize()
        #expect(executor.live[event.orderID.lowercased()] == nil)
        #expect(try test.journal.entry(actionID: "delayed-1")?.state == .filled)
    }

    @Test func aDelayedOrderThatEndsUnmatchedIsCanceledAndReleased() throws {
        let venue = Venue()
        let test = try TestExecutor(venue: venue)
        defer { test.remove() }
        let event = test.executor.handle(ExecutorSubmissionTests.action("delayed-2"), receivedAtNanos: BusClock.nowNanos())
        #expect(event.outcome == .accepted)
        venue.status.withLock { $0 = "ORDER_STATUS_UNMATCHED" }
        try test.executor.resynchronize()
        #expect(test.executor.live.isEmpty)
        #expect(try test.journal.entry(actionID: "delayed-2")?.state == .canceled)
        #expect(test.executor.risk.totalExposure == 0)
    }
}
