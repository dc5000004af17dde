import Foundation
import Logging
import Testing
import PolypipeTesting
import JournalStore
import PolypipeCore
import VenueClient

/// CAN-02: a cancel that loses the race to a fill. Only what the venue says it cancelled is
/// cancelled; an order it reports as not cancelled ("Order already matched") keeps its state and
/// its exposure until the venue's own account of it arrives.
@Suite struct ExecutorCancelTests {
    /// The fake venue, whose `/cancel-all` cancels the first order placed and reports every other
    /// one as already matched.
    static func racingVenue() -> FakeVenue {
        let venue = FakeVenue()
        venue.script("/cancel-all") { [unowned venue] _ in
            let ids = venue.withState { state -> [String] in
                if let first = state.placementOrder.first { state.orders[first]?.status = "CANCELED" }
                return state.placementOrder
            }
            let canceled = ids.prefix(1).map { #""\#($0)""# }.joined(separator: ",")
            let lost = ids.dropFirst().map { #""\#($0)": "Order already matched""# }.joined(separator: ",")
            return FakeVenue.answer(200, #"{"canceled": [\#(canceled)], "not_canceled": {\#(lost)}}"#)
        }
        return venue
    }

    @Test func anOrderTheVenueDidNotCancelStaysOpenWithItsExposure() throws {
        let venue = Self.racingVenue()
        let test = try TestExecutor(venue: venue)
        defer { test.remove() }
        let (executor, journal) = (test.executor, test.journal)

        let first = executor.handle(ExecutorSubmissionTests.action("c-1"), receivedAtNanos: BusClock.nowNanos())
        let second = executor.handle(ExecutorSubmissionTests.action("c-2"), receivedAtNanos: BusClock.nowNanos())
        #expect(first.outcome == .accepted && second.outcome == .accepted)
        #expect(venue.orders(in: "LIVE").map(\.id) == [first.orderID, second.orderID].map { $0.lowercased() })
        let exposureBefore = test.status.totalExposureMicros

        let result = executor.cancelAll(reason: "test")

        #expect(result.canceled == [OrderID(first.orderID)])
        #expect(result.notCanceled == [OrderID(second.orderID): "Order already matched"])
        let entries = Dictionary(uniqueKeysWithValues: try journal.entries(in: Journal.State.allCases).map { ($0.actionID, $0.state) })
        #expect(entries["c-1"] == .canceled)
        #expect(entries["c-2"] == .accepted, "lost the race: not marked cancelled")
        let status = test.status
        #expect(status.openOrders == 1, "the matched order is still tracked until the venue's account of it arrives")
        #expect(status.totalExposureMicros == exposureBefore / 2, "only the cancelled order's exposure was released")
    }
}
