import Foundation
import Testing
import PolypipeTesting
import Bus
import Execution
import JournalStore
import PolypipeCore
import VenueClient

/// Resting lifetimes (`max_rest_ms`): exec-proc cancels an accepted order once it rested that
/// long, also after a restart (the lifetime is journaled before the order is sent).
@Suite struct ExecutorLifetimeTests {
    typealias Clock = RateLimitPacerTests.ManualClock

    static func action(_ id: String, maxRestMillis: Int64) -> Polypipe_Bus_V1_Action {
        var action = ExecutorSubmissionTests.action(id)
        action.maxRestMs = maxRestMillis
        return action
    }

    @Test func anOrderIsCancelledOnceItRestedItsLifetime() throws {
        let venue = FakeVenue()
        let clock = Clock(start: BusClock.nowMillis())
        let test = try TestExecutor(venue: venue, clock: { clock.now })
        defer { test.remove() }
        let events = ExecutorTargetedCancelTests.Events(test.executor)
        let placed = test.executor.handle(Self.action("l-1", maxRestMillis: 2_000), receivedAtNanos: 0)
        #expect(placed.outcome == .accepted)
        let unlimited = ExecutorTargetedCancelTests.place(test.executor, "l-2")

        clock.advance(1_999)
        #expect(test.executor.enforceRestLifetimes().isEmpty, "not yet")
        clock.advance(1)
        let reports = test.executor.enforceRestLifetimes()

        #expect(reports.map(\.outcome) == [.done])
        #expect(events.lastCancel?.reason.hasPrefix("lifetime") == true)
        #expect(events.lastCancel?.canceled == [placed.orderID.lowercased()])
        #expect(Array(test.executor.live.keys) == [OrderID(unlimited)], "the order without a lifetime rests on")
        #expect(try test.journal.entry(actionID: "l-1")?.state == .canceled)
        #expect(test.executor.enforceRestLifetimes().isEmpty, "cancelled once")
    }

    @Test func aLifetimeSurvivesARestart() throws {
        let venue = FakeVenue()
        let clock = Clock(start: BusClock.nowMillis())
        let first = try TestExecutor(venue: venue, clock: { clock.now })
        defer { first.remove() }
        let placed = first.executor.handle(Self.action("r-1", maxRestMillis: 10_000), receivedAtNanos: 0)
        #expect(placed.outcome == .accepted)

        let restarted = try TestExecutor(venue: venue, clock: { clock.now }, reopening: first.directory)
        #expect(restarted.executor.live[OrderID(placed.orderID)] != nil, "adopted from the journal and the venue")
        #expect(restarted.executor.enforceRestLifetimes().isEmpty)
        clock.advance(10_000)
        let reports = restarted.executor.enforceRestLifetimes()

        #expect(reports.map(\.outcome) == [.done])
        #expect(venue.orders(in: "CANCELED").map(\.id) == [placed.orderID.lowercased()])
    }

    @Test func aLifetimeCancelWithNoAnswerIsTriedAgain() throws {
        let venue = FakeVenue()
        let clock = Clock(start: BusClock.nowMillis())
        let test = try TestExecutor(venue: venue, clock: { clock.now })
        defer { test.remove() }
        let placed = test.executor.handle(Self.action("t-1", maxRestMillis: 1_000), receivedAtNanos: 0)
        venue.withState { $0.outages["/order"] = 500 }
        clock.advance(1_000)
        #expect(test.executor.enforceRestLifetimes().map(\.outcome) == [.unknown])
        #expect(test.executor.live[OrderID(placed.orderID)] != nil)
        venue.withState { $0.outages = [:] }
        clock.advance(1_000)
        #expect(test.executor.enforceRestLifetimes().map(\.outcome) == [.done])
    }

    @Test func aLifetimeIsOnlyForOrdersThatRest() throws {
        let now = BusClock.nowMillis()
        var fok = ExecAction(Self.action("v-1", maxRestMillis: 1_000))
        fok.timeInForce = .fok
        #expect(throws: ActionValidator.Refusal.self) { try ActionValidator.checkShape(fok, nowMillis: now) }
        let negative = ExecAction(Self.action("v-2", maxRestMillis: -1))
        #expect(throws: ActionValidator.Refusal.self) { try ActionValidator.checkShape(negative, nowMillis: now) }
        try ActionValidator.checkShape(ExecAction(Self.action("v-3", maxRestMillis: 1_000)), nowMillis: now)
    }
}
