import Foundation
import Logging
import Synchronization
import Testing
import PolypipeTesting
import JournalStore
import PolypipeCore
import VenueClient

/// SUB-06: retries never re-sign. An order whose outcome is unknown is looked up by its hash,
/// sent again with the very same bytes once, and declared absent after the grace period; a 429
/// is a proven refusal and is not retried at all. One action, one signature.
@Suite struct ExecutorRetryTests {
    /// The fake venue answering every `POST /order` with HTTP `status`; lookups find nothing.
    static func venue(status: Int) -> FakeVenue {
        let venue = FakeVenue()
        venue.orderAnswer = .serverError(status)
        return venue
    }

    @Test func anUnknownOrderIsResentWithTheSameBytesOnceThenDeclaredAbsent() throws {
        let venue = Self.venue(status: 500)
        let now = Mutex(BusClock.nowMillis())
        let test = try TestExecutor(venue: venue, clock: { now.withLock { $0 } })
        defer { test.remove() }
        let (executor, journal) = (test.executor, test.journal)
        var action = ExecutorSubmissionTests.action("r-1")
        action.createdAtMs = now.withLock { $0 }

        let event = executor.handle(action, receivedAtNanos: BusClock.nowNanos())
        #expect(event.outcome == .unknown)
        for step in [1_000, 2_500, 10_000, 30_000, 59_000] as [Int64] {
            now.withLock { $0 = action.createdAtMs + step }
            executor.resolvePending()
        }
        let posts = venue.requests(to: "/order").map(\.body)
        #expect(posts.count == 2, "the first send and exactly one resend")
        #expect(Set(posts).count == 1, "byte-identical bodies: never signed again")
        #expect(try journal.entries(in: Journal.State.allCases).map(\.state) == [.unknown], "still unknown inside the grace period")

        now.withLock { $0 = action.createdAtMs + 61_000 }
        executor.resolvePending()
        executor.resolvePending()
        let entries = try journal.entries(in: Journal.State.allCases)
        #expect(entries.count == 1 && entries[0].state == .absent && entries[0].orderHash == event.orderID)
        #expect(venue.requests(to: "/order").count == 2, "absent: nothing more is sent")
        // The same action again is a duplicate, not a new order.
        #expect(executor.handle(action, receivedAtNanos: BusClock.nowNanos()).outcome == .duplicate)
        #expect(venue.requests(to: "/order").count == 2)
    }

    /// SUB-08: success, but under an order id that is not the hash we signed. The venue holds
    /// something we cannot track: unknown (never "accepted", never sent again), still counted,
    /// and trading halts.
    @Test func anAcceptanceUnderAnotherOrderIDIsUnknownAndHaltsTrading() throws {
        let venue = FakeVenue()
        venue.script("/order") { _ in
            let other = "0x" + String(repeating: "ab", count: 32)
            return FakeVenue.answer(200, #"{"success": true, "errorMsg": "", "orderID": "\#(other)", "status": "live", "makingAmount": "", "takingAmount": "", "tradeIDs": [], "transactionsHashes": []}"#)
        }
        let now = Mutex(BusClock.nowMillis())
        let test = try TestExecutor(venue: venue, clock: { now.withLock { $0 } })
        defer { test.remove() }
        var action = ExecutorSubmissionTests.action("other-id")
        action.createdAtMs = now.withLock { $0 }
        let event = test.executor.handle(action, receivedAtNanos: BusClock.nowNanos())
        #expect(event.outcome == .unknown && event.reason.contains("not the hash we signed"), "\(event.reason)")
        #expect(try test.journal.entry(actionID: "other-id")?.state == .unknown)
        #expect(test.executor.risk.state == .halted)
        #expect(try test.journal.tradingState() == .halted, "the halt survives a restart")
        #expect(test.executor.risk.totalExposure == 2_500_000, "5 shares at 0.50 stay counted")
        for step in [2_500, 10_000, 61_000, 120_000] as [Int64] {
            now.withLock { $0 = action.createdAtMs + step }
            test.executor.resolvePending()
        }
        #expect(venue.requests(to: "/order").count == 1, "never sent again")
        #expect(try test.journal.entry(actionID: "other-id")?.state == .unknown, "not declared absent: the venue holds something")
        #expect(test.executor.risk.totalExposure == 2_500_000, "still counted")
    }

    @Test func aRateLimitedSubmitIsARefusalThatIsNotRetried() throws {
        let venue = Self.venue(status: 429)
        let now = Mutex(BusClock.nowMillis())
        let test = try TestExecutor(venue: venue, clock: { now.withLock { $0 } })
        defer { test.remove() }
        let (executor, journal) = (test.executor, test.journal)
        var action = ExecutorSubmissionTests.action("r-2")
        action.createdAtMs = now.withLock { $0 }
        let event = executor.handle(action, receivedAtNanos: BusClock.nowNanos())
        #expect(event.outcome == .rejected && event.reason.contains("refused before placement"))
        now.withLock { $0 += 5_000 }
        executor.resolvePending()
        #expect(venue.requests(to: "/order").count == 1, "a proven refusal is not sent again")
        #expect(try journal.entries(in: Journal.State.allCases).map(\.state) == [.rejected])
    }
}
