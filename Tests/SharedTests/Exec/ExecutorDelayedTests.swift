import Foundation
import Logging
import Testing
import PolypipeTesting
import PolypipeCore
import VenueClient

/// LIFE-06: a POST answered `status: "delayed"` (the taker delay, spec §4.1, §9) is accepted and
/// not filled: the order stays live and counts as exposure while the venue holds it, even when
/// the venue does not list it among the open orders, and ends as the venue says.
@Suite struct ExecutorDelayedTests {
    /// The fake venue answering every order `delayed` (it does not list delayed orders as open);
    /// the test ends the delay by changing the order's status at the venue.
    static func venue() -> FakeVenue {
        let venue = FakeVenue()
        venue.orderAnswer = .accept(status: "delayed")
        return venue
    }

    static func end(_ orderID: String, as status: String, at venue: FakeVenue) {
        venue.withState { $0.orders[orderID.lowercased()]?.status = status }
    }

    @Test func aDelayedOrderIsAcceptedNotFilledAndKeepsItsExposureUntilTheVenueEndsIt() throws {
        let venue = Self.venue()
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
        #expect(executor.live[OrderID(event.orderID)] != nil)
        #expect(try test.journal.entry(actionID: "delayed-1")?.state == .accepted)
        #expect(executor.risk.totalExposure == 2_500_000)

        // The delay ends in a match: filled, no longer live.
        Self.end(event.orderID, as: "MATCHED", at: venue)
        try executor.resynchronize()
        #expect(executor.live[OrderID(event.orderID)] == nil)
        #expect(try test.journal.entry(actionID: "delayed-1")?.state == .filled)
    }

    @Test func aDelayedOrderThatEndsUnmatchedIsCanceledAndReleased() throws {
        let venue = Self.venue()
        let test = try TestExecutor(venue: venue)
        defer { test.remove() }
        let event = test.executor.handle(ExecutorSubmissionTests.action("delayed-2"), receivedAtNanos: BusClock.nowNanos())
        #expect(event.outcome == .accepted)
        Self.end(event.orderID, as: "UNMATCHED", at: venue)
        try test.executor.resynchronize()
        #expect(test.executor.live.isEmpty)
        #expect(try test.journal.entry(actionID: "delayed-2")?.state == .canceled)
        #expect(test.executor.risk.totalExposure == 0)
    }
}
