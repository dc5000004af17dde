import Foundation
import Testing
import PolypipeCore

/// SUB-16: dry-run signs and journals, and never sends a trading request — not an order, not
/// a cancel, whatever the venue is.
@Suite struct ExecutorDryRunTests {
    @Test func dryRunNeverSendsAnOrderOrACancel() throws {
        let venue = ExecutorSubmissionTests.Venue(delayMillis: 0)
        let test = try TestExecutor(venue: venue, configuration: .init(mode: .dryRun, owner: TestExecutor.credentials.apiKey))
        defer { test.remove() }
        for index in 0..<3 {
            let event = test.executor.handle(ExecutorSubmissionTests.action("d\(index)"), receivedAtNanos: BusClock.nowNanos())
            #expect(event.outcome == .dryRun)
        }
        _ = test.executor.cancelAll(reason: "test")
        test.executor.completeSubmissions()
        let trading: Set<String> = ["/order", "/orders", "/cancel-all", "/cancel-market-orders", "/v1/heartbeats"]
        let paths = venue.log.withLock { $0.paths }
        #expect(paths.allSatisfy { !trading.contains($0) }, "\(paths)")
    }
}
