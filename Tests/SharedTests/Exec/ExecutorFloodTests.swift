import Foundation
import Logging
import Synchronization
import Testing
import PolypipeTesting
import Bus
import Execution
import JournalStore
import PolypipeCore

/// RISK-05: a strategy that floods exec-proc. The order-rate limit keeps what is signed within
/// budget; past twice the budget in a minute trading halts until an operator resumes it.
@Suite struct ExecutorFloodTests {
    func executor(perMinute: Int, configuration: Executor.Configuration? = nil,
                  clock: @escaping @Sendable () -> Int64 = { BusClock.nowMillis() }) throws -> TestExecutor {
        var limits = RiskLimits.paperDefaults
        limits.maxOrdersPerMinute = perMinute
        return try TestExecutor(venue: FakeVenue(), limits: limits,
                                configuration: configuration ?? .init(mode: .paper, owner: TestExecutor.credentials.apiKey), clock: clock)
    }

    @Test func theRateLimitHoldsAndAFloodPastTwiceTheBudgetHalts() throws {
        let test = try executor(perMinute: 20)
        defer { test.remove() }
        let (executor, journal) = (test.executor, test.journal)

        var outcomes: [Polypipe_Bus_V1_OrderEvent] = []
        for index in 0..<500 {
            outcomes.append(executor.handle(ExecutorSubmissionTests.action("f-\(index)"), receivedAtNanos: BusClock.nowNanos()))
        }
        let accepted = outcomes.filter { $0.outcome == .accepted }.count
        let rateRefused = outcomes.filter { $0.reason.contains("orders in the last minute") }.count
        let haltRefused = outcomes.filter { $0.reason.contains("halted") }.count
        #expect(accepted == 20, "the budget: 20 orders a minute")
        #expect(rateRefused == 20, "20 more refused by the rate limit, then the halt")
        #expect(haltRefused == 460)
        #expect(try journal.entries(in: Journal.State.allCases).count == 20, "nothing past the budget was signed or journaled")
        #expect(test.status.state == .halted && test.status.stateReason.contains("action flood"))
        #expect(try journal.tradingState() == .halted, "the halt survives a restart")
    }

    /// A restart does not reset the budget: the last minute's signatures come back from the
    /// journal (a crash-looping exec-proc fed by a flooding strategy stays within its rate).
    @Test func theRateBudgetSurvivesARestart() throws {
        let now = Mutex(BusClock.nowMillis())
        var limits = RiskLimits.paperDefaults
        limits.maxOrdersPerMinute = 3
        let first = try TestExecutor(venue: FakeVenue(), limits: limits, clock: { now.withLock { $0 } })
        for index in 0..<3 {
            var action = ExecutorSubmissionTests.action("budget-\(index)")
            action.createdAtMs = now.withLock { $0 }
            #expect(first.executor.handle(action, receivedAtNanos: BusClock.nowNanos()).outcome == .accepted)
        }
        now.withLock { $0 += 20_000 }
        let restarted = try TestExecutor(venue: FakeVenue(), limits: limits, clock: { now.withLock { $0 } },
                                         reopening: first.directory)
        defer { restarted.remove() }
        var action = ExecutorSubmissionTests.action("budget-3")
        action.createdAtMs = now.withLock { $0 }
        let refused = restarted.executor.handle(action, receivedAtNanos: BusClock.nowNanos())
        #expect(refused.outcome == .refused && refused.reason.contains("orders in the last minute"), "\(refused.reason)")
        now.withLock { $0 += 41_000 }  // a minute after the three
        action.id = "budget-4"
        action.createdAtMs = now.withLock { $0 }
        #expect(restarted.executor.handle(action, receivedAtNanos: BusClock.nowNanos()).outcome == .accepted)
    }

    @Test func onlyRefusalsWithinOneMinuteCountTowardsTheHalt() throws {
        let now = Mutex(BusClock.nowMillis())
        var configuration = Executor.Configuration(mode: .paper, owner: TestExecutor.credentials.apiKey)
        configuration.floodHaltRefusals = 3
        let test = try executor(perMinute: 2, configuration: configuration, clock: { now.withLock { $0 } })
        defer { test.remove() }
        let executor = test.executor
        func send(_ id: String) -> Polypipe_Bus_V1_OrderEvent {
            var action = ExecutorSubmissionTests.action(id)
            action.createdAtMs = now.withLock { $0 }
            return executor.handle(action, receivedAtNanos: BusClock.nowNanos())
        }
        func halted() -> Bool { test.status.state == .halted }

        #expect(send("m-0").outcome == .accepted && send("m-1").outcome == .accepted)
        #expect(send("m-2").outcome == .refused && send("m-3").outcome == .refused)
        #expect(!halted(), "2 refusals, threshold 3")
        now.withLock { $0 += 61_000 }
        #expect(send("m-4").outcome == .accepted && send("m-5").outcome == .accepted, "a new minute, a new budget")
        #expect(send("m-6").outcome == .refused)
        #expect(!halted(), "the two older refusals left the window: 1 of 3")
        #expect(send("m-7").outcome == .refused && send("m-8").outcome == .refused)
        #expect(halted(), "3 refusals within a minute")
    }
}
