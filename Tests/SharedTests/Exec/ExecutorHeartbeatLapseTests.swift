import Foundation
import Logging
import Testing
import PolypipeTesting
import PolypipeCore
import VenueClient

/// HB-03: exec-proc frozen (SIGSTOP) past the venue's dead-man window. When its loop runs
/// again it has seen nothing of what the venue did meanwhile — every open order may have been
/// cancelled, or filled. The first thing it does is look; no new order goes out before that
/// reconciliation succeeds.
@Suite struct ExecutorHeartbeatLapseTests {
    @Test func afterHeartbeatsLapsedTheVenueIsReadBeforeAnyNewOrder() throws {
        let venue = FakeVenue()
        let test = try TestExecutor(venue: venue)
        defer { test.remove() }
        let executor = test.executor
        let first = executor.handle(ExecutorSubmissionTests.action("frozen-1"), receivedAtNanos: BusClock.nowNanos())
        try #require(first.outcome == .accepted)
        #expect(venue.orders(in: "LIVE").map(\.id) == [first.orderID.lowercased()], "resting at the venue")
        #expect(executor.mayBeLiveOrders.map(\.orderID) == [first.orderID.lowercased()])

        // Frozen for 15 s: the venue's dead-man switch cancelled the order; when the loop runs
        // again the venue cannot be read at first.
        venue.withState { state in
            state.orders[first.orderID.lowercased()]?.status = "CANCELED"
            state.outages["/data/orders"] = 503
        }
        executor.heartbeatsLapsed(forMillis: 15_000)
        #expect(executor.suspectAfterLapseMillis == 15_000)
        let postsBefore = venue.requests(to: "/order", method: "POST").count
        let refused = executor.handle(ExecutorSubmissionTests.action("frozen-2"), receivedAtNanos: BusClock.nowNanos())
        #expect(refused.outcome == .refused && refused.reason.contains("reconciling with the venue"))
        #expect(venue.requests(to: "/order", method: "POST").count == postsBefore, "nothing sent while the venue is unread")

        // The venue answers again: the next action first reconciles, then goes out.
        venue.withState { $0.outages["/data/orders"] = nil }
        venue.withState { $0.requests.removeAll() }
        let third = executor.handle(ExecutorSubmissionTests.action("frozen-3"), receivedAtNanos: BusClock.nowNanos())
        #expect(third.outcome == .accepted)
        let requests = venue.requestLines
        let listed = try #require(requests.firstIndex(of: "GET /data/orders"))
        let posted = try #require(requests.firstIndex(of: "POST /order"))
        #expect(listed < posted, "the venue was read before the new order: \(requests)")
        #expect(requests.contains("GET /data/order/\(first.orderID)"), "the vanished order's final state was asked for")
        #expect(executor.suspectAfterLapseMillis == nil)
        #expect(try test.journal.entry(actionID: "frozen-1")?.state == .canceled, "the dead-man's cancel is in the journal")
        #expect(executor.mayBeLiveOrders.map(\.orderID) == [third.orderID.lowercased()])
    }

    @Test func aCurrentViewSendsWithoutAnExtraRead() throws {
        let venue = FakeVenue()
        let test = try TestExecutor(venue: venue)
        defer { test.remove() }
        venue.withState { $0.requests.removeAll() }
        #expect(test.executor.handle(ExecutorSubmissionTests.action("awake-1"), receivedAtNanos: BusClock.nowNanos()).outcome == .accepted)
        #expect(!venue.requestLines.contains("GET /data/orders"), "no reconciliation on the hot path without a lapse")
    }
}
