import Foundation
import Testing
import PolypipeTesting
import PolypipeCore
import VenueClient

/// Random action sequences on a journal that fails at random (any operation, on and off),
/// with random operator resumes: whatever happens, every order the venue received was in the
/// journal before it was sent, and after a failed journal call nothing is sent until a resume
/// that the journal persisted.
@Suite struct ExecutorJournalPropertyTests {

    @Test(arguments: UInt64(1)...12)
    func noOrderIsSentWithoutItsJournalEntryWhateverFails(seed: UInt64) throws {
        var random = SplitMix64(seed: seed)
        let venue = FakeVenue()
        let test = try TestExecutor(venue: venue, faultyJournal: true)
        defer { test.remove() }
        let faults = try #require(test.faults)
        let executor = test.executor
        var failuresAtResume = executor.counters.journalFailures
        var halts = 0
        for index in 0..<80 {
            // Each step: the journal heals, or one to three operations start failing.
            if random.next() % 3 == 0 {
                var failing = Set<FailingJournal.Operation>()
                for _ in 0..<(random.next() % 3) {
                    failing.insert(FailingJournal.Operation.allCases[Int(random.next() % UInt64(FailingJournal.Operation.allCases.count))])
                }
                faults.fail(failing)
            }
            if random.next() % 6 == 0, executor.setState(.running, reason: "operator") {
                failuresAtResume = executor.counters.journalFailures
            }
            let postsBefore = venue.requests(to: "/order").count
            let haltedBefore = executor.risk.state == .halted
            var action = ExecutorSubmissionTests.action("jp\(seed)-\(index % 60)")  // some ids repeat
            action.sizeMicros = (random.next() % 10 + 5) * 1_000_000
            executor.handle(action, receivedAtNanos: BusClock.nowNanos())
            if haltedBefore { #expect(venue.requests(to: "/order").count == postsBefore, "nothing sent while halted") }
            // A failed journal call since the last persisted resume: halted.
            if executor.counters.journalFailures > failuresAtResume {
                #expect(executor.risk.state == .halted)
                halts += 1
            }
        }
        // Every order the venue received is in the journal, written before the POST.
        faults.heal()
        for orderID in venue.requests(to: "/order").map({ FakeVenue.orderID(ofBody: $0.body) }) {
            #expect(try test.journal.entry(orderHash: orderID) != nil, "order \(orderID) was sent without a journal entry")
        }
        #expect(FailingJournal.Operation.allCases.contains { faults.failed($0) > 0 }, "the journal did fail")
        #expect(halts > 0, "and the failures reached the executor")
    }
}
