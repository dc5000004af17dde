import Foundation
import Logging
import Bus
import Execution
import JournalStore
import PolypipeCore
import VenueClient
import PolypipeTesting

extension RiskLimits {
    /// These limits with one change, e.g. `RiskLimits.paperDefaults.with { $0.maxTokenShares = … }`.
    func with(_ change: (inout RiskLimits) -> Void) -> RiskLimits {
        var limits = self
        change(&limits)
        return limits
    }
}

/// An ``Executor`` on a ``FakeVenue`` (or any transport) with a fresh journal in its own directory, as the executor
/// tests build it: the property tests' key and market, paper mode, a healthy heartbeat.
struct TestExecutor {
    static let credentials = FakeVenue.credentials

    let executor: Executor
    let journal: Journal
    /// The journal's failure switch, when built with `faultyJournal`.
    let faults: FailingJournal?
    let directory: String

    /// - Parameters:
    ///   - health: the venue heartbeat's health; healthy by default, so tests of the fail-closed
    ///     gate pass their own (failing or stale) one.
    ///   - faultyJournal: run the executor on a ``FailingJournal`` over the journal (healthy
    ///     until a test tells it to fail), reachable as ``faults``.
    ///   - reopening: the directory of an earlier ``TestExecutor`` whose journal this one
    ///     opens, as exec-proc does when it comes back after a crash; nil for a fresh journal.
    init(venue: any HTTPTransport, limits: RiskLimits = .paperDefaults,
         configuration: Executor.Configuration = .init(mode: .paper, owner: TestExecutor.credentials.apiKey),
         health: VenueHealth = VenueHealth(healthy: true), faultyJournal: Bool = false,
         clock: @escaping @Sendable () -> Int64 = { BusClock.nowMillis() }, reopening: String? = nil,
         rateLimits: RateLimitPacer? = nil) throws {
        directory = reopening ?? NSTemporaryDirectory() + "exec-test-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        journal = try Journal(path: directory + "/journal.sqlite")
        faults = faultyJournal ? FailingJournal(journal) : nil
        let used: any OrderJournal = faults.map { $0 as any OrderJournal } ?? journal
        let key = ExecutorPropertyTests.key
        let client = ClobClient(transport: venue, chain: .polygon, l2: try L2Signer(credentials: Self.credentials, address: key.address),
                                rateLimits: rateLimits)
        executor = try Executor(configuration: configuration, journal: used, venue: client,
                                builder: OrderBuilder(signer: OrderSigner(key: key, chain: .polygon), signatureType: .eoa, funder: nil),
                                limits: limits, health: health, logger: Logger(label: "test"), clock: clock)
        try executor.reconcileAtStartup()
    }

    /// Removes the journal's directory.
    func remove() { try? FileManager.default.removeItem(atPath: directory) }

    /// exec-proc's status as `polypipe status` would see it.
    var status: Polypipe_Bus_V1_ExecStatus {
        executor.status(mode: .paper, signer: ExecutorPropertyTests.key.address, venueURL: "x", startedAtMillis: 0)
    }
}
