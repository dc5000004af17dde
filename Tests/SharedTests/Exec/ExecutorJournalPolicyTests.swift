import Foundation
import Testing
import Bus
import Execution
import PolypipeCore

/// HB-08 and the ``JournalFailurePolicy``: the executor on a journal that fails on demand.
/// An order whose journal entry cannot be written is never sent; any failed journal call halts
/// trading; cancels still go out; only a persisted resume reopens trading.
@Suite struct ExecutorJournalPolicyTests {
    typealias Venue = ExecutorSubmissionTests.Venue

    static func posts(_ venue: Venue) -> Int { venue.log.withLock { $0.paths.filter { $0 == "/order" }.count } }
    static func act(_ test: TestExecutor, _ id: String) -> Polypipe_Bus_V1_OrderEvent {
        test.executor.handle(ExecutorSubmissionTests.action(id), receivedAtNanos: BusClock.nowNanos())
    }

    @Test func anOrderWhoseJournalEntryCannotBeWrittenIsNeverSent() throws {
        let venue = Venue(delayMillis: 0)
        let test = try TestExecutor(venue: venue, faultyJournal: true)
        defer { test.remove() }
        let faults = try #require(test.faults)
        faults.fail([.record])

        let event = Self.act(test, "j-record-1")
        #expect(event.outcome == .refused)
        #expect(event.reason.contains("journal unavailable"))
        #expect(Self.posts(venue) == 0, "not journaled, not sent")
        #expect(try test.journal.entry(actionID: "j-record-1") == nil)
        #expect(test.executor.risk.totalExposure == 0, "its exposure is given back")
        #expect(test.executor.risk.state == .halted, "a failed journal halts trading")
        #expect(test.executor.counters.journalFailures >= 1)
        #expect(test.status.stateReason.contains("journal unavailable"))

        // The journal works again: still halted until an operator resumes.
        faults.heal()
        let whileHalted = Self.act(test, "j-record-2")
        #expect(whileHalted.outcome == .refused && whileHalted.reason.contains("halted"))
        #expect(Self.posts(venue) == 0)
        #expect(test.executor.setState(.running, reason: "journal fixed"))
        #expect(Self.act(test, "j-record-3").outcome == .accepted)
        #expect(Self.posts(venue) == 1)
    }

    @Test func aDuplicateCheckThatCannotReadRefusesAndSendsNothing() throws {
        let venue = Venue(delayMillis: 0)
        let test = try TestExecutor(venue: venue, faultyJournal: true)
        defer { test.remove() }
        try #require(test.faults).fail([.entryByAction])
        let event = Self.act(test, "j-read-1")
        #expect(event.outcome == .refused && event.reason.contains("journal unavailable"))
        #expect(Self.posts(venue) == 0)
        #expect(test.executor.risk.state == .halted)
    }

    /// After the venue answered, the answer stands: the order is tracked as live and counted,
    /// though the journal could not record it — and trading halts, since the journal is behind.
    @Test func aSettlementWriteThatFailsHaltsButTheVenuesAnswerStands() throws {
        let venue = Venue(delayMillis: 0)
        let test = try TestExecutor(venue: venue, faultyJournal: true)
        defer { test.remove() }
        try #require(test.faults).fail([.update])
        let event = Self.act(test, "j-settle-1")
        #expect(event.outcome == .accepted, "the venue accepted it; that is what is published")
        #expect(test.executor.live[OrderID(event.orderID)] != nil, "tracked as live from the venue's answer")
        #expect(test.executor.risk.totalExposure == 2_500_000)
        #expect(try test.journal.entry(actionID: "j-settle-1")?.state == .signed, "the journal is behind")
        #expect(test.executor.risk.state == .halted)
        #expect(Self.act(test, "j-settle-2").outcome == .refused)
        #expect(Self.posts(venue) == 1)
    }

    @Test func aResumeThatCannotBePersistedIsRefused() throws {
        let venue = Venue(delayMillis: 0)
        let test = try TestExecutor(venue: venue, faultyJournal: true)
        defer { test.remove() }
        let faults = try #require(test.faults)
        #expect(test.executor.setState(.halted, reason: "operator"))
        faults.fail([.setTradingState])
        #expect(!test.executor.setState(.running, reason: "operator"), "not persisted: not in effect")
        #expect(test.executor.risk.state == .halted)
        #expect(!test.executor.setState(.reducing, reason: "operator"), "reduce-only from halted loosens too")
        #expect(test.executor.risk.state == .halted)
        #expect(try test.journal.tradingState() == .halted)
        faults.heal()
        #expect(test.executor.setState(.running, reason: "operator"))
        #expect(test.executor.risk.state == .running)
    }

    @Test func aHaltTakesEffectEvenWhenItCannotBePersisted() throws {
        let venue = Venue(delayMillis: 0)
        let test = try TestExecutor(venue: venue, faultyJournal: true)
        defer { test.remove() }
        try #require(test.faults).fail([.setTradingState, .audit])
        #expect(test.executor.setState(.halted, reason: "operator"))
        #expect(test.executor.risk.state == .halted)
        #expect(Self.act(test, "j-halt-1").outcome == .refused)
        #expect(Self.posts(venue) == 0)
    }

    /// A lost audit line halts trading too — but cancels, which only lower risk, still go out.
    @Test func aFailedAuditLineHaltsTradingButNotCancels() throws {
        let venue = Venue(delayMillis: 0)
        let test = try TestExecutor(venue: venue, faultyJournal: true)
        defer { test.remove() }
        let faults = try #require(test.faults)
        faults.fail([.audit])
        let result = test.executor.cancelAll(reason: "operator")
        #expect(result.error == nil)
        #expect(venue.log.withLock { $0.paths }.contains("/cancel-all"))
        #expect(faults.failed(.audit) >= 1)
        #expect(test.executor.risk.state == .halted)
        #expect(test.executor.counters.journalFailures >= 1)
    }

    @Test func thePolicyTable() {
        for call in JournalCall.allCases {
            let consequence = JournalFailurePolicy.consequence(of: call)
            #expect(consequence.haltsTrading, "\(call) halts")
            #expect(consequence.refusesAction == (call == .order), "only an order's own entry refuses the action")
        }
        #expect(JournalFailurePolicy.loosens(from: .halted, to: .running))
        #expect(JournalFailurePolicy.loosens(from: .halted, to: .reducing))
        #expect(JournalFailurePolicy.loosens(from: .reducing, to: .running))
        #expect(!JournalFailurePolicy.loosens(from: .running, to: .halted))
        #expect(!JournalFailurePolicy.loosens(from: .running, to: .reducing))
        #expect(!JournalFailurePolicy.loosens(from: .halted, to: .halted))
    }
}
