import Foundation
import Testing
import PolypipeTesting
import Bus
import Execution
import PolypipeCore

/// `max_token_shares` through the executor (``RiskLimits/maxTokenShares``): a BUY that would
/// take one token's shares held plus on open BUYs above the limit is refused before signing,
/// naming the rule; a cancelled BUY gives its shares back, and so does the venue's view at the
/// next resynchronization.
@Suite struct ExecutorTokenShareTests {
    /// 10 shares per token: two of the 5-share test BUYs.
    static let limits = RiskLimits.paperDefaults.with { $0.maxTokenShares = Shares(micros: 10_000_000) }

    @Test func aBuyPastTheLimitIsRefusedBeforeSigningAndACancelGivesTheSharesBack() throws {
        let venue = FakeVenue()
        let test = try TestExecutor(venue: venue, limits: Self.limits)
        defer { test.remove() }
        let executor = test.executor
        #expect(executor.handle(ExecutorSubmissionTests.action("s-1"), receivedAtNanos: BusClock.nowNanos()).outcome == .accepted)
        #expect(executor.handle(ExecutorSubmissionTests.action("s-2"), receivedAtNanos: BusClock.nowNanos()).outcome == .accepted,
                "exactly at the limit")
        let refused = executor.handle(ExecutorSubmissionTests.action("s-3"), receivedAtNanos: BusClock.nowNanos())
        #expect(refused.outcome == .refused && refused.reason.contains("max_token_shares"), "\(refused.reason)")
        #expect(venue.requests(to: "/order").count == 2, "the refused BUY was never sent")

        // The venue's view at a resynchronization keeps the two resting BUYs counted.
        try executor.resynchronize()
        #expect(executor.handle(ExecutorSubmissionTests.action("s-4"), receivedAtNanos: BusClock.nowNanos()).outcome == .refused)

        #expect(executor.cancelAll(reason: "test").error == nil)
        #expect(executor.handle(ExecutorSubmissionTests.action("s-5"), receivedAtNanos: BusClock.nowNanos()).outcome == .accepted,
                "the cancelled BUYs no longer count")
    }
}
