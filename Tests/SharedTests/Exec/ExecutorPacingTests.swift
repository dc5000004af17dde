import Foundation
import Logging
import Synchronization
import Testing
import Bus
import PolypipeCore
import VenueClient

/// exec-proc paces its orders to the signer's order bucket (spec §6.1, §9; RL-03, RL-09): an
/// order waits for its token on a sender connection, never on the execution thread, and one
/// whose action would expire first is refused as stale and never sent late.
@Suite struct ExecutorPacingTests {
    /// A pacer on a manual clock that starts at the real time (actions carry real times).
    static func pacer() -> (RateLimitPacer, RateLimitPacerTests.ManualClock) {
        let clock = RateLimitPacerTests.ManualClock(start: BusClock.nowMillis())
        return (clock.pacer(), clock)
    }

    /// The venue reports a debt of 1 with its reset 4 s ahead: no order token for 4 s.
    static func block(_ pacer: RateLimitPacer, nowMillis: Int64) {
        pacer.observe(HTTPResponse(status: 200, headers: [("poly-ratelimit-remaining", "-1"), ("poly-ratelimit-reset", String(nowMillis / 1_000 + 5))],
                                   body: []), bucket: .orders)
    }

    static func orderPosts(_ venue: ExecutorSubmissionTests.Venue) -> Int {
        venue.log.withLock { $0.paths.filter { $0 == "/order" }.count }
    }

    @Test(arguments: [0, 2])
    func anOrderWhoseActionExpiresBeforeItsTokenIsStaleAndNeverSent(connections: Int) throws {
        let venue = ExecutorSubmissionTests.Venue(delayMillis: 0)
        let (pacer, clock) = Self.pacer()
        let harness = try ExecutorSubmissionTests.harness(venue, connections: connections, rateLimits: pacer)
        defer { harness.executor.sender?.stop(); try? FileManager.default.removeItem(atPath: harness.directory) }
        var events: [Polypipe_Bus_V1_OrderEvent] = []
        harness.executor.onEvent = { events.append($0) }
        Self.block(pacer, nowMillis: clock.now)

        var action = ExecutorSubmissionTests.action("short-ttl")
        action.ttlMs = 2_000
        harness.executor.handle(action, receivedAtNanos: BusClock.nowNanos())
        ExecutorSubmissionTests.settle(harness.executor) { events.count == 1 }

        try #require(events.count == 1)
        #expect(events[0].outcome == .refused)
        #expect(events[0].reason.contains("stale"))
        #expect(Self.orderPosts(venue) == 0, "never sent late")
        #expect(try harness.journal.entry(actionID: "short-ttl")?.state == .rejected)
        #expect(harness.executor.risk.totalExposure == 0, "its exposure is released")
    }

    @Test func anOrderWaitsForItsTokenOnTheSenderAndThenGoes() throws {
        let venue = ExecutorSubmissionTests.Venue(delayMillis: 0)
        let (pacer, clock) = Self.pacer()
        let harness = try ExecutorSubmissionTests.harness(venue, connections: 2, rateLimits: pacer)
        defer { harness.executor.sender?.stop(); try? FileManager.default.removeItem(atPath: harness.directory) }
        var events: [Polypipe_Bus_V1_OrderEvent] = []
        harness.executor.onEvent = { events.append($0) }
        let start = clock.now
        Self.block(pacer, nowMillis: start)

        let handed = harness.executor.handle(ExecutorSubmissionTests.action("long-ttl"), receivedAtNanos: BusClock.nowNanos())
        #expect(handed.outcome == .unspecified, "the execution thread handed it over instead of waiting")
        ExecutorSubmissionTests.settle(harness.executor) { events.count == 1 }

        try #require(events.count == 1)
        #expect(events[0].outcome == .accepted)
        #expect(Self.orderPosts(venue) == 1)
        #expect(clock.now >= (start / 1_000 + 5) * 1_000, "sent only after the venue's reset")
    }
}

extension ExecutorPacingTests {
    /// ★RL-07: the order bucket is blocked and an order waits for it on a sender connection; a
    /// cancel-all neither waits behind it nor lets it go out afterwards.
    @Test func aCancelAllWithdrawsOrdersWaitingForTheOrderBucket() throws {
        let venue = ExecutorSubmissionTests.Venue(delayMillis: 0)
        let pacer = RateLimitPacer(tier: .standard, logger: Logger(label: "test"))  // real clock, real sleeps
        let harness = try ExecutorSubmissionTests.harness(venue, connections: 2, rateLimits: pacer)
        defer { harness.executor.sender?.stop(); try? FileManager.default.removeItem(atPath: harness.directory) }
        var events: [Polypipe_Bus_V1_OrderEvent] = []
        harness.executor.onEvent = { events.append($0) }
        Self.block(pacer, nowMillis: BusClock.nowMillis())  // no order token for about 5 s

        harness.executor.handle(ExecutorSubmissionTests.action("waiting"), receivedAtNanos: BusClock.nowNanos())
        #expect(harness.executor.inFlightCount == 1)
        let result = harness.executor.cancelAll(reason: "test")
        #expect(result.error == nil)

        #expect(harness.executor.inFlightCount == 0, "the waiting order came back before the cancel went out")
        try #require(events.count == 1)
        #expect(events[0].outcome == .refused && events[0].reason.contains("withdrawn"), "\(events[0].reason)")
        let paths = venue.log.withLock { $0.paths }
        #expect(paths.contains("/cancel-all"))
        #expect(!paths.contains("/order"), "never sent")
    }
}
