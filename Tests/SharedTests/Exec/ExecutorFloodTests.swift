import Foundation
import Logging
import Shared
import Synchronization
import Testing

/// RISK-05: a strategy that floods exec-proc. The order-rate limit keeps what is signed within
/// budget; past twice the budget in a minute trading halts until an operator resumes it.
@Suite struct ExecutorFloodTests {
    func executor(perMinute: Int, directory: String,
                  configuration: Executor.Configuration = .init(mode: .paper, owner: "00000000-0000-0000-0000-000000000000"),
                  clock: @escaping @Sendable () -> Int64 = { BusClock.nowMillis() }) throws -> (Executor, Journal) {
        let journal = try Journal(path: directory + "/journal.sqlite")
        let credentials = ApiCredentials(apiKey: "00000000-0000-0000-0000-000000000000", secret: "c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0", passphrase: "p")
        let key = ExecutorSubmissionTests.key
        var limits = RiskLimits.paperDefaults
        limits.maxOrdersPerMinute = perMinute
        let client = ClobClient(transport: ExecutorPropertyTests.FakeVenue(), chain: .polygon, l2: try L2Signer(credentials: credentials, address: key.address))
        let executor = try Executor(configuration: configuration, journal: journal, venue: client,
                                    builder: OrderBuilder(signer: OrderSigner(key: key, chain: .polygon), signatureType: .eoa, funder: nil),
                                    limits: limits, health: VenueHealth(healthy: true), logger: Logger(label: "test"), clock: clock)
        try executor.reconcileAtStartup()
        return (executor, journal)
    }

    @Test func theRateLimitHoldsAndAFloodPastTwiceTheBudgetHalts() throws {
        let directory = NSTemporaryDirectory() + "exec-flood-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let (executor, journal) = try executor(perMinute: 20, directory: directory)

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
        let status = executor.status(mode: .paper, signer: ExecutorSubmissionTests.key.address, venueURL: "x", startedAtMillis: 0)
        #expect(status.state == .halted && status.stateReason.contains("action flood"))
        #expect(try journal.tradingState() == .halted, "the halt survives a restart")
    }

    @Test func onlyRefusalsWithinOneMinuteCountTowardsTheHalt() throws {
        let directory = NSTemporaryDirectory() + "exec-flood-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let now = Mutex(BusClock.nowMillis())
        var configuration = Executor.Configuration(mode: .paper, owner: "00000000-0000-0000-0000-000000000000")
        configuration.floodHaltRefusals = 3
        let (executor, _) = try executor(perMinute: 2, directory: directory, configuration: configuration, clock: { now.withLock { $0 } })
        func send(_ id: String) -> Polypipe_Bus_V1_OrderEvent {
            var action = ExecutorSubmissionTests.action(id)
            action.createdAtMs = now.withLock { $0 }
            return executor.handle(action, receivedAtNanos: BusClock.nowNanos())
        }
        func halted() -> Bool { executor.status(mode: .paper, signer: ExecutorSubmissionTests.key.address, venueURL: "x", startedAtMillis: 0).state == .halted }

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
