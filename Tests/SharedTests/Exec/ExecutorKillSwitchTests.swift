import Foundation
import Synchronization
import Testing
import PolypipeTesting
import Bus
import Execution
import JournalStore
import PolypipeCore
import VenueClient

/// The kill switch (``KillSwitch``): every halt cancels every resting order of ours, a failed
/// cancel-all is retried until it succeeds or trading resumes; reduce-only and
/// `--no-halt-cancels-orders` leave the orders resting.
@Suite struct ExecutorKillSwitchTests {
    /// An executor on a fake venue with `count` of our BUYs resting.
    static func resting(_ count: Int, venue: FakeVenue = FakeVenue(), limits: RiskLimits = .paperDefaults,
                        haltCancels: Bool = true, faultyJournal: Bool = false,
                        clock: @escaping @Sendable () -> Int64 = { BusClock.nowMillis() }) throws -> TestExecutor {
        var configuration = Executor.Configuration(mode: .paper, owner: TestExecutor.credentials.apiKey)
        configuration.haltCancelsOrders = haltCancels
        let test = try TestExecutor(venue: venue, limits: limits, configuration: configuration, faultyJournal: faultyJournal, clock: clock)
        for index in 0..<count {
            #expect(test.executor.handle(ExecutorSubmissionTests.action("rest-\(index)"), receivedAtNanos: BusClock.nowNanos()).outcome == .accepted)
        }
        #expect(venue.orders(in: "LIVE").count == count)
        return test
    }

    @Test func aManualHaltCancelsEveryRestingOrderAndRefusesNewOnes() throws {
        let venue = FakeVenue()
        let test = try Self.resting(3, venue: venue)
        defer { test.remove() }
        let published = Mutex<[Polypipe_Bus_V1_OrderEvent]>([])
        test.executor.onEvent = { event in published.withLock { $0.append(event) } }
        test.executor.setState(.halted, reason: "operator")
        #expect(venue.orders(in: "LIVE").isEmpty, "nothing of ours rests after the halt")
        #expect(venue.orders(in: "CANCELED").count == 3)
        // Each order's end is published, as for any cancel: strategies learn it from the bus.
        let canceled = published.withLock { $0 }.filter { $0.outcome == .canceled }
        #expect(Set(canceled.map(\.actionID)) == ["rest-0", "rest-1", "rest-2"], "\(canceled.map(\.actionID))")
        #expect(canceled.allSatisfy { $0.reason == "cancel-all: kill switch (halted: operator)" }, "\(canceled.map(\.reason))")
        #expect(test.executor.live.isEmpty)
        #expect(test.status.ordersCanceled == 3 && test.status.haltCancelsOrders)
        #expect(test.executor.killSwitch.owed == nil)
        let refused = test.executor.handle(ExecutorSubmissionTests.action("after"), receivedAtNanos: BusClock.nowNanos())
        #expect(refused.outcome == .refused && refused.reason.contains("halted"))
    }

    @Test func reduceOnlyDoesNotCancel() throws {
        let venue = FakeVenue()
        let test = try Self.resting(2, venue: venue)
        defer { test.remove() }
        test.executor.setState(.reducing, reason: "operator")
        test.executor.enforceKillSwitch()
        #expect(venue.orders(in: "LIVE").count == 2)
        #expect(venue.requests(to: "/cancel-all").isEmpty)
    }

    @Test func withoutHaltCancelsOrdersAHaltLeavesThemResting() throws {
        let venue = FakeVenue()
        let test = try Self.resting(2, venue: venue, haltCancels: false)
        defer { test.remove() }
        test.executor.setState(.halted, reason: "operator")
        test.executor.enforceKillSwitch()
        #expect(venue.orders(in: "LIVE").count == 2)
        #expect(venue.requests(to: "/cancel-all").isEmpty)
        #expect(test.status.state == .halted && !test.status.haltCancelsOrders)
    }

    @Test func theFloodHaltCancels() throws {
        let venue = FakeVenue()
        var limits = RiskLimits.paperDefaults
        limits.maxOrdersPerMinute = 3
        let test = try Self.resting(3, venue: venue, limits: limits)
        defer { test.remove() }
        for index in 0..<3 { test.executor.handle(ExecutorSubmissionTests.action("flood-\(index)"), receivedAtNanos: BusClock.nowNanos()) }
        #expect(test.status.state == .halted && test.status.stateReason.contains("action flood"))
        #expect(venue.orders(in: "LIVE").isEmpty)
    }

    /// A journal failure halts in memory; the loop's next pass cancels (never from inside the
    /// failing call), and the cancel's own failing audit line does not recurse.
    @Test func aJournalFailureHaltCancelsOnTheNextPassWithoutRecursion() throws {
        let venue = FakeVenue()
        let test = try Self.resting(2, venue: venue, faultyJournal: true)
        defer { test.remove() }
        test.faults?.fail([.audit, .entryByAction])
        let refused = test.executor.handle(ExecutorSubmissionTests.action("x"), receivedAtNanos: BusClock.nowNanos())
        #expect(refused.outcome == .refused && test.status.state == .halted)
        #expect(test.executor.killSwitch.owed != nil)
        #expect(test.executor.enforceKillSwitch() == false, "paid: nothing owed any more")
        #expect(venue.orders(in: "LIVE").isEmpty)
        #expect(venue.requests(to: "/cancel-all").count == 1, "one cancel-all, not one per failing journal call")
    }

    /// An operator's cancel-all whose own audit line fails: the failure halts, and the
    /// cancel-all under way covers that halt (no cancel-all inside it, none owed after).
    @Test func aCancelAllWhoseAuditFailsCoversTheHaltItCauses() throws {
        let venue = FakeVenue()
        let test = try Self.resting(2, venue: venue, faultyJournal: true)
        defer { test.remove() }
        test.faults?.fail([.audit])
        #expect(test.executor.cancelAll(reason: "operator").error == nil)
        #expect(test.status.state == .halted)
        #expect(test.executor.enforceKillSwitch() == false)
        #expect(venue.requests(to: "/cancel-all").count == 1)
        #expect(venue.orders(in: "LIVE").isEmpty)
    }

    @Test func aFailedCancelAllIsRetriedUntilItSucceeds() throws {
        let venue = FakeVenue()
        let now = Mutex(BusClock.nowMillis())
        let test = try Self.resting(2, venue: venue, clock: { now.withLock { $0 } })
        defer { test.remove() }
        venue.withState { $0.outages["/cancel-all"] = 503 }
        test.executor.setState(.halted, reason: "operator")
        #expect(venue.orders(in: "LIVE").count == 2)
        #expect(test.executor.enforceKillSwitch() == true, "owed, not due yet")
        #expect(venue.requests(to: "/cancel-all").count == 1)
        now.withLock { $0 += KillSwitch.retryMillis }
        #expect(test.executor.enforceKillSwitch() == true, "failed again")
        #expect(venue.requests(to: "/cancel-all").count == 2)
        venue.withState { $0.outages = [:] }
        now.withLock { $0 += KillSwitch.retryMillis }
        #expect(test.executor.enforceKillSwitch() == false)
        #expect(venue.orders(in: "LIVE").isEmpty)
    }

    @Test func resumingEndsTheRetries() throws {
        let venue = FakeVenue()
        let now = Mutex(BusClock.nowMillis())
        let test = try Self.resting(1, venue: venue, clock: { now.withLock { $0 } })
        defer { test.remove() }
        venue.withState { $0.outages["/cancel-all"] = 503 }
        test.executor.setState(.halted, reason: "operator")
        test.executor.setState(.running, reason: "operator")
        now.withLock { $0 += KillSwitch.retryMillis }
        #expect(test.executor.enforceKillSwitch() == false)
        #expect(venue.requests(to: "/cancel-all").count == 1)
    }

    /// A halt raised while the order senders' answers are settled (here SUB-08, an acceptance
    /// under another order id) is not cancelled from inside that settlement — a cancel-all drains
    /// those very submissions — but by the loop's next pass.
    @Test func aHaltWhileSettlingSenderAnswersCancelsOnTheNextPass() throws {
        let venue = FakeVenue()
        let posts = Mutex(0)
        venue.script("/order") { _ in
            guard posts.withLock({ $0 += 1; return $0 }) == 2 else { return nil }
            let other = "0x" + String(repeating: "ab", count: 32)
            return FakeVenue.answer(200, #"{"success": true, "errorMsg": "", "orderID": "\#(other)", "status": "live", "makingAmount": "", "takingAmount": "", "tradeIDs": [], "transactionsHashes": []}"#)
        }
        let test = try Self.resting(1, venue: venue)
        defer { test.executor.sender?.stop(); test.remove() }
        let l2 = try L2Signer(credentials: TestExecutor.credentials, address: ExecutorPropertyTests.key.address)
        test.executor.sender = try OrderSender(clients: [ClobClient(transport: venue, chain: .polygon, l2: l2)])
        #expect(test.executor.handle(ExecutorSubmissionTests.action("other-id"), receivedAtNanos: BusClock.nowNanos()).outcome == .unspecified)
        ExecutorSubmissionTests.settle(test.executor) { test.executor.inFlightCount == 0 }
        #expect(test.status.state == .halted && test.status.stateReason.contains("order id disagreement"), "\(test.status.stateReason)")
        #expect(test.executor.killSwitch.owed != nil && venue.requests(to: "/cancel-all").isEmpty, "owed, not paid inside the settlement")
        #expect(test.executor.enforceKillSwitch() == false)
        #expect(venue.orders(in: "LIVE").isEmpty && venue.requests(to: "/cancel-all").count == 1)
    }

    /// An order of unknown outcome is not sent again while halted: the kill switch's cancel-all
    /// has just emptied the book, a resend would put an order back on it.
    @Test func aHaltedExecutorDoesNotResendAnUnknownOrder() throws {
        let venue = FakeVenue()
        venue.orderAnswer = .serverError(500)
        let now = Mutex(BusClock.nowMillis())
        let test = try TestExecutor(venue: venue, clock: { now.withLock { $0 } })
        defer { test.remove() }
        var action = ExecutorSubmissionTests.action("u-1")
        action.createdAtMs = now.withLock { $0 }
        #expect(test.executor.handle(action, receivedAtNanos: BusClock.nowNanos()).outcome == .unknown)
        test.executor.setState(.halted, reason: "operator")
        for step in [1_000, 2_500, 10_000, 30_000] as [Int64] {
            now.withLock { $0 = action.createdAtMs + step }
            test.executor.resolvePending()
        }
        #expect(venue.requests(to: "/order").count == 1, "the first send only: no resend while halted")
        #expect(test.executor.unknownCount == 1, "still unknown, never rejected")
    }

    // MARK: Daily loss

    static let limits = RiskLimits.paperDefaults.with { $0.dailyLossLimit = Collateral(micros: 100_000_000) }

    @Test func crossingTheDailyLossLimitHaltsAndCancels() throws {
        let venue = FakeVenue()
        let test = try Self.resting(2, venue: venue, limits: Self.limits)
        defer { test.remove() }
        test.executor.observeRealizedPnL(totalMicros: 50_000_000)  // the day's baseline
        test.executor.observeRealizedPnL(totalMicros: -49_999_999)
        #expect(test.status.state == .running && test.status.dailyRealizedPnlMicros == -99_999_999)
        test.executor.observeRealizedPnL(totalMicros: -50_000_000)
        #expect(test.status.state == .halted)
        #expect(test.status.stateReason.contains("$100") && test.status.stateReason.contains("daily loss limit"), "\(test.status.stateReason)")
        #expect(venue.orders(in: "LIVE").isEmpty)
    }

    @Test func aVoidedFillReversesAndTheBaselineSurvivesARestart() throws {
        let venue = FakeVenue()
        let first = try TestExecutor(venue: venue, limits: Self.limits)
        first.executor.observeRealizedPnL(totalMicros: 0)
        first.executor.observeRealizedPnL(totalMicros: -80_000_000)
        first.executor.observeRealizedPnL(totalMicros: -20_000_000)  // a losing fill voided
        #expect(first.status.dailyRealizedPnlMicros == -20_000_000 && first.status.state == .running)
        let restarted = try TestExecutor(venue: venue, limits: Self.limits, reopening: first.directory)
        defer { restarted.remove() }
        restarted.executor.observeRealizedPnL(totalMicros: -100_000_000)
        #expect(restarted.status.dailyRealizedPnlMicros == -100_000_000, "counted from the persisted baseline, not the restart")
        #expect(restarted.status.state == .halted)
    }

    @Test func midnightUTCResetsTheDay() throws {
        let day: Int64 = 86_400_000
        let now = Mutex(20_522 * day + day - 10_000)
        let test = try TestExecutor(venue: FakeVenue(), limits: Self.limits, clock: { now.withLock { $0 } })
        defer { test.remove() }
        test.executor.observeRealizedPnL(totalMicros: 0)
        test.executor.observeRealizedPnL(totalMicros: -90_000_000)
        now.withLock { $0 += 10_000 }
        test.executor.checkDailyPnL()
        #expect(test.status.dailyRealizedPnlMicros == 0)
        #expect(try test.journal.setting(DailyRealizedPnL.settingKey) == "20523:-90000000")
        test.executor.observeRealizedPnL(totalMicros: -180_000_000)
        #expect(test.status.state == .running && test.status.dailyRealizedPnlMicros == -90_000_000, "yesterday's loss is not today's")
        test.executor.observeRealizedPnL(totalMicros: -190_000_000)
        #expect(test.status.state == .halted)
    }

    /// fill-proc down or silent: exec-proc keeps trading (the limit is then not checked, which
    /// is logged) and shows how long it has been silent; its next total ends the silence.
    @Test func aSilentFillProcNeitherHaltsNorStopsTrading() throws {
        let now = Mutex(BusClock.nowMillis())
        let test = try TestExecutor(venue: FakeVenue(), limits: Self.limits, clock: { now.withLock { $0 } })
        defer { test.remove() }
        now.withLock { $0 += Executor.fillFeedSilenceMillis + 5_000 }
        test.executor.checkDailyPnL()
        #expect(test.executor.fillFeedSilentMillis == Executor.fillFeedSilenceMillis + 5_000)
        #expect(test.status.state == .running && test.status.dailyRealizedPnlMicros == 0)
        var action = ExecutorSubmissionTests.action("quiet")
        action.createdAtMs = now.withLock { $0 }
        #expect(test.executor.handle(action, receivedAtNanos: BusClock.nowNanos()).outcome == .accepted)
        test.executor.observeRealizedPnL(totalMicros: -1_000_000)
        #expect(test.executor.fillFeedSilentMillis == 0)
    }
}
