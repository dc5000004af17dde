import Foundation
import Logging
import Synchronization
import Testing
import PolypipeTesting
import Bus
import JournalStore
import PolypipeCore
import VenueClient

/// CR-02: exec-proc killed after the journal write and before the POST. The restarted process
/// finds the row `signed`, looks the order up by its hash, and — only while the strategy's
/// action is still valid — sends the journaled bytes once; a stale action is never placed, and
/// is declared absent after the grace period. An order the venue lists after that (a late
/// arrival) is tracked again. Never a second signature.
@Suite struct ExecutorCrashTests {
    /// Signs and journals `action` in a first executor, then leaves its row as a `kill -9`
    /// between the journal write and the POST does: `signed`, nothing at the venue. Returns the
    /// journal's directory and the row.
    static func crashBeforeThePost(_ action: Polypipe_Bus_V1_Action, at now: Int64) throws -> (directory: String, entry: Journal.Entry) {
        let first = try TestExecutor(venue: ExecutorRetryTests.venue(status: 500), clock: { now })
        let event = first.executor.handle(action, receivedAtNanos: BusClock.nowNanos())
        try #require(event.outcome == .unknown)
        try first.journal.update(orderHash: event.orderID, to: .signed, nowMillis: now)
        return (first.directory, try #require(try first.journal.entry(actionID: action.id)))
    }

    @Test func aValidActionIsSentOnceWithTheJournaledBytesAfterTheRestart() throws {
        let start = BusClock.nowMillis()
        var action = ExecutorSubmissionTests.action("crash-valid")
        action.createdAtMs = start
        action.ttlMs = 30_000
        let (directory, signed) = try Self.crashBeforeThePost(action, at: start)
        let venue = FakeVenue()  // accepts the order under the hash it signs to
        let now = Mutex(start + 1_000)
        let restarted = try TestExecutor(venue: venue, clock: { now.withLock { $0 } }, reopening: directory)
        defer { restarted.remove() }
        #expect(restarted.executor.unknownCount == 1, "the signed row is pending after the restart")

        now.withLock { $0 = start + 2_500 }
        restarted.executor.resolvePending()
        let posts = venue.requests(to: "/order").map(\.body)
        #expect(posts == [signed.body], "exactly one POST, of the journaled bytes")
        let entries = try restarted.journal.entries(in: Journal.State.allCases)
        #expect(entries.count == 1 && entries[0].orderHash == signed.orderHash && entries[0].state == .accepted)
        #expect(restarted.executor.unknownCount == 0)
        #expect(restarted.executor.mayBeLiveOrders.map(\.orderID) == [signed.orderHash])
    }

    @Test func aStaleActionIsNeverSentAndAnOrderListedLaterIsTrackedAgain() throws {
        let start = BusClock.nowMillis()
        var action = ExecutorSubmissionTests.action("crash-stale")
        action.createdAtMs = start
        action.ttlMs = 3_000
        let (directory, signed) = try Self.crashBeforeThePost(action, at: start)
        #expect(signed.expiresAtMillis == start + 3_000)
        let venue = FakeVenue()  // it would be accepted: it must not be sent
        let now = Mutex(start + 10_000)
        let restarted = try TestExecutor(venue: venue, clock: { now.withLock { $0 } }, reopening: directory)
        defer { restarted.remove() }
        var events: [Polypipe_Bus_V1_OrderEvent] = []
        restarted.executor.onEvent = { events.append($0) }

        for step in [10_000, 12_500, 30_000, 59_000] as [Int64] {
            now.withLock { $0 = start + step }
            restarted.executor.resolvePending()
        }
        #expect(venue.requests(to: "/order").isEmpty, "an expired action's order is never sent")
        #expect(try restarted.journal.entry(actionID: action.id)?.state == .signed, "still waiting inside the grace period")
        now.withLock { $0 = start + 61_000 }
        restarted.executor.resolvePending()
        #expect(try restarted.journal.entry(actionID: action.id)?.state == .absent)
        #expect(events.last?.outcome == .canceled)

        // The venue had it after all (held longer than the grace period): tracked, not orphaned.
        let market = FakeMarket.standard[0]
        venue.rest(FakeOrder(id: signed.orderHash, market: market.condition, token: market.tokens[0]))
        try restarted.executor.resynchronize()
        let entry = try #require(try restarted.journal.entry(actionID: action.id))
        #expect(entry.state == .accepted && entry.orderHash == signed.orderHash && entry.body == signed.body)
        #expect(events.last?.outcome == .accepted && events.last?.orderID == signed.orderHash)
        #expect(events.last?.reason.contains("absent") == true)
        #expect(restarted.executor.mayBeLiveOrders.map(\.orderID) == [signed.orderHash])
        #expect(venue.requests(to: "/order").isEmpty, "adopting it sent nothing")
        #expect(try restarted.journal.entries(in: Journal.State.allCases).count == 1, "one row, one signature")
    }
}
