import Foundation
import Logging
import Synchronization
import Testing
import PolypipeCore
import VenueClient

/// HB-03: exec-proc frozen (SIGSTOP) past the venue's dead-man window. When its loop runs
/// again it has seen nothing of what the venue did meanwhile — every open order may have been
/// cancelled, or filled. The first thing it does is look; no new order goes out before that
/// reconciliation succeeds.
@Suite struct ExecutorHeartbeatLapseTests {
    /// A venue whose `/order` accepts (live), that lists the orders in ``resting`` and reports
    /// those in ``cancelled`` as cancelled, and whose open-orders listing can fail.
    final class Venue: HTTPTransport {
        let requests = Mutex<[String]>([])
        let resting = Mutex<Set<String>>([])
        let cancelled = Mutex<Set<String>>([])
        let listingFails = Mutex(false)

        func send(_ request: VenueClient.HTTPRequest) throws(TransportError) -> HTTPResponse {
            let path = String(request.target.split(separator: "?").first ?? "")
            requests.withLock { $0.append("\(request.method) \(path)") }
            func answer(_ status: Int, _ text: String) -> HTTPResponse { HTTPResponse(status: status, headers: [], body: Array(text.utf8)) }
            let market = ExecutorPropertyTests.markets[0]
            func order(_ id: String, _ status: String) -> String {
                #"{"id": "\#(id)", "status": "\#(status)", "market": "\#(market.condition)", "asset_id": "\#(market.tokens[0])", "side": "BUY", "original_size": "5", "size_matched": "0", "price": "0.5", "associate_trades": []}"#
            }
            switch path {
            case "/data/orders":
                if listingFails.withLock({ $0 }) { return answer(503, #"{"error": "scripted outage"}"#) }
                let listed = resting.withLock { $0 }.sorted().map { order($0, "ORDER_STATUS_LIVE") }
                return answer(200, #"{"limit": 500, "count": \#(listed.count), "next_cursor": "LTE=", "data": [\#(listed.joined(separator: ","))]}"#)
            case _ where path.hasPrefix("/data/order/"):
                let id = String(path.dropFirst("/data/order/".count))
                if cancelled.withLock({ $0.contains(id) }) { return answer(200, order(id, "ORDER_STATUS_CANCELED")) }
                if resting.withLock({ $0.contains(id) }) { return answer(200, order(id, "ORDER_STATUS_LIVE")) }
                return answer(404, #"{"error": "not found"}"#)
            default:
                return try ExecutorPropertyTests.FakeVenue().send(request)
            }
        }
    }

    @Test func afterHeartbeatsLapsedTheVenueIsReadBeforeAnyNewOrder() throws {
        let venue = Venue()
        let test = try TestExecutor(venue: venue)
        defer { test.remove() }
        let executor = test.executor
        let first = executor.handle(ExecutorSubmissionTests.action("frozen-1"), receivedAtNanos: BusClock.nowNanos())
        try #require(first.outcome == .accepted)
        venue.resting.withLock { _ = $0.insert(first.orderID) }
        #expect(executor.mayBeLiveOrders.map(\.orderID) == [first.orderID.lowercased()])

        // Frozen for 15 s: the venue's dead-man switch cancelled the order; when the loop runs
        // again the venue cannot be read at first.
        venue.resting.withLock { $0.removeAll() }
        venue.cancelled.withLock { _ = $0.insert(first.orderID) }
        venue.listingFails.withLock { $0 = true }
        executor.heartbeatsLapsed(forMillis: 15_000)
        #expect(executor.suspectAfterLapseMillis == 15_000)
        let postsBefore = venue.requests.withLock { $0.filter { $0 == "POST /order" }.count }
        let refused = executor.handle(ExecutorSubmissionTests.action("frozen-2"), receivedAtNanos: BusClock.nowNanos())
        #expect(refused.outcome == .refused && refused.reason.contains("reconciling with the venue"))
        #expect(venue.requests.withLock { $0.filter { $0 == "POST /order" }.count } == postsBefore, "nothing sent while the venue is unread")

        // The venue answers again: the next action first reconciles, then goes out.
        venue.listingFails.withLock { $0 = false }
        venue.requests.withLock { $0.removeAll() }
        let third = executor.handle(ExecutorSubmissionTests.action("frozen-3"), receivedAtNanos: BusClock.nowNanos())
        #expect(third.outcome == .accepted)
        let requests = venue.requests.withLock { $0 }
        let listed = try #require(requests.firstIndex(of: "GET /data/orders"))
        let posted = try #require(requests.firstIndex(of: "POST /order"))
        #expect(listed < posted, "the venue was read before the new order: \(requests)")
        #expect(requests.contains("GET /data/order/\(first.orderID)"), "the vanished order's final state was asked for")
        #expect(executor.suspectAfterLapseMillis == nil)
        #expect(try test.journal.entry(actionID: "frozen-1")?.state == .canceled, "the dead-man's cancel is in the journal")
        #expect(executor.mayBeLiveOrders.map(\.orderID) == [third.orderID.lowercased()])
    }

    @Test func aCurrentViewSendsWithoutAnExtraRead() throws {
        let venue = Venue()
        let test = try TestExecutor(venue: venue)
        defer { test.remove() }
        venue.requests.withLock { $0.removeAll() }
        #expect(test.executor.handle(ExecutorSubmissionTests.action("awake-1"), receivedAtNanos: BusClock.nowNanos()).outcome == .accepted)
        #expect(!venue.requests.withLock { $0 }.contains("GET /data/orders"), "no reconciliation on the hot path without a lapse")
    }
}
