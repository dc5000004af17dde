import Foundation
import Testing
import Execution
import PolypipeCore

/// The executor's fail-closed gates, each exercised with the gate actually closed (every other
/// executor suite runs with a healthy heartbeat and limits far away, so none of them would notice
/// if a gate were removed):
///
/// - the venue heartbeat (HB-04): failing or stale → the action is refused, nothing is signed,
///   journaled or POSTed; cancels still go out;
/// - exposure exactly at a limit (★RISK-01): allowed; one order past it refused, with orders
///   whose outcome is unknown counted at full size.
@Suite struct ExecutorFailClosedTests {
    typealias Venue = ExecutorSubmissionTests.Venue

    static func posts(_ venue: Venue) -> Int { venue.log.withLock { $0.paths.filter { $0 == "/order" }.count } }

    @Test func aFailingHeartbeatRefusesNewOrdersAndPostsNothing() throws {
        let venue = Venue(delayMillis: 0)
        let health = VenueHealth(healthy: true)
        let test = try TestExecutor(venue: venue, health: health)
        defer { test.remove() }
        health.failed()

        let event = test.executor.handle(ExecutorSubmissionTests.action("hb-down-1"), receivedAtNanos: BusClock.nowNanos())
        #expect(event.outcome == .refused)
        #expect(event.reason.contains("venue heartbeat failing"))
        #expect(Self.posts(venue) == 0, "zero POSTs while the heartbeat fails")
        #expect(try test.journal.entry(actionID: "hb-down-1") == nil, "nothing signed or journaled")
        #expect(test.executor.risk.totalExposure == 0)
        #expect(!test.status.venueHeartbeatOk)

        // Cancels are never gated on the heartbeat.
        #expect(test.executor.cancelAll(reason: "test").error == nil)
        #expect(venue.log.withLock { $0.paths }.contains("/cancel-all"))

        // The same venue takes orders once the heartbeat recovers: the refusal was the gate's.
        health.succeeded()
        let after = test.executor.handle(ExecutorSubmissionTests.action("hb-down-2"), receivedAtNanos: BusClock.nowNanos())
        #expect(after.outcome == .accepted)
        #expect(Self.posts(venue) == 1)
    }

    /// The heartbeat's last call succeeded, but long ago (a stuck heartbeat thread): stale is
    /// failing.
    @Test func aStaleHeartbeatRefusesNewOrdersAndPostsNothing() throws {
        let venue = Venue(delayMillis: 0)
        let health = VenueHealth(healthy: true, staleAfterMillis: 1_000)
        health.succeeded(nowMillis: BusClock.nowMillis() - 5_000)
        let test = try TestExecutor(venue: venue, health: health)
        defer { test.remove() }

        let event = test.executor.handle(ExecutorSubmissionTests.action("hb-stale-1"), receivedAtNanos: BusClock.nowNanos())
        #expect(event.outcome == .refused)
        #expect(event.reason.contains("venue heartbeat failing"))
        #expect(Self.posts(venue) == 0, "zero POSTs on a stale heartbeat")
        #expect(try test.journal.entry(actionID: "hb-stale-1") == nil)
    }

    @Test func noHeartbeatYetRefusesNewOrders() throws {
        let venue = Venue(delayMillis: 0)
        let test = try TestExecutor(venue: venue, health: VenueHealth())
        defer { test.remove() }
        let event = test.executor.handle(ExecutorSubmissionTests.action("hb-none-1"), receivedAtNanos: BusClock.nowNanos())
        #expect(event.outcome == .refused)
        #expect(Self.posts(venue) == 0)
    }

    /// Limits: one order ≤ 2.5 pUSD, one market ≤ 5 pUSD. Each action is 5 shares at 0.50 =
    /// 2.5 pUSD, so two land exactly on the market limit and the third is one order past it.
    static let tightLimits = RiskLimits(maxOrderNotional: Collateral(micros: 2_500_000), maxMarketExposure: Collateral(micros: 5_000_000),
                                        maxTotalExposure: Collateral(micros: 1_000_000_000), maxOrdersPerMinute: 600,
                                        priceBand: Price(micros: 150_000), dailyLossLimit: Collateral(micros: 200_000_000))

    @Test func exposureExactlyAtTheLimitIsAllowedAndOnePastItIsRefused() throws {
        let venue = Venue(delayMillis: 0)
        let test = try TestExecutor(venue: venue, limits: Self.tightLimits)
        defer { test.remove() }
        let first = test.executor.handle(ExecutorSubmissionTests.action("edge-1"), receivedAtNanos: BusClock.nowNanos())
        #expect(first.outcome == .accepted, "notional exactly at maxOrderNotional is allowed")
        let second = test.executor.handle(ExecutorSubmissionTests.action("edge-2"), receivedAtNanos: BusClock.nowNanos())
        #expect(second.outcome == .accepted, "market exposure exactly at maxMarketExposure is allowed")
        #expect(test.executor.risk.totalExposure == 5_000_000)
        let third = test.executor.handle(ExecutorSubmissionTests.action("edge-3"), receivedAtNanos: BusClock.nowNanos())
        #expect(third.outcome == .refused)
        #expect(third.reason.contains("market exposure"))
        #expect(Self.posts(venue) == 2)
    }

    /// ★RISK-01 at the edge: orders whose outcome is unknown (the venue answered 500) count at
    /// full size, so the limit is reached by them exactly as by accepted ones.
    @Test func unknownOrdersFillTheLimitAtFullSize() throws {
        let venue = Venue(delayMillis: 0, answer: .serverError)
        let test = try TestExecutor(venue: venue, limits: Self.tightLimits)
        defer { test.remove() }
        #expect(test.executor.handle(ExecutorSubmissionTests.action("unk-1"), receivedAtNanos: BusClock.nowNanos()).outcome == .unknown)
        #expect(test.executor.handle(ExecutorSubmissionTests.action("unk-2"), receivedAtNanos: BusClock.nowNanos()).outcome == .unknown)
        try test.executor.resynchronize()
        #expect(test.executor.risk.totalExposure == 5_000_000, "two unknown orders at full size, rebuilt from the venue")
        let third = test.executor.handle(ExecutorSubmissionTests.action("unk-3"), receivedAtNanos: BusClock.nowNanos())
        #expect(third.outcome == .refused && third.reason.contains("market exposure"))
        #expect(Self.posts(venue) == 2)
    }
}
