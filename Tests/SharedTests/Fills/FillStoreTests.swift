import Foundation
import Testing
import Fills
import PolypipeCore

/// Each test gets a fresh database in its own temporary directory (as GRDB's own tests do).
@Suite struct FillStoreTests {
    typealias S = FillScenario
    let directory: URL
    var path: String { directory.appendingPathComponent("fills.sqlite").path }

    init() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("polypipe-fills-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    static let orders = [S.order(1, size: 10_000_000, expected: 500_000), S.order(2, .sell, size: 4_000_000, expected: 600_000),
                         S.order(3, size: 5_000_000, expected: 500_000), S.order(4, size: 2_000_000, token: S.down)]
    /// A run's worth of trades: partial fills, a reduce, a ghost fill, settlement steps, a second token.
    static let trades = [
        S.takerTrade("t1", order: 1, .buy, size: 6_000_000, price: 510_000, matchedAt: 1_040),
        S.takerTrade("t2", order: 1, .buy, size: 4_000_000, price: 490_000, matchedAt: 1_900),
        S.takerTrade("t1", order: 1, .buy, size: 6_000_000, price: 510_000, status: .mined),
        S.takerTrade("t3", order: 2, .sell, size: 4_000_000, price: 620_000, matchedAt: 2_500),
        S.takerTrade("t4", order: 3, .buy, size: 5_000_000, price: 530_000, matchedAt: 3_000),
        S.takerTrade("t1", order: 1, .buy, size: 6_000_000, price: 510_000, status: .confirmed),
        S.takerTrade("t4", order: 3, .buy, size: 5_000_000, price: 530_000, status: .failed),
        S.takerTrade("t5", order: 4, .buy, size: 2_000_000, price: 450_000, token: S.down, matchedAt: 3_500),
    ]

    @Test func aRestartRebuildsTheSameLedgerAndReingestingCountsNothingTwice() throws {
        let fees = FillLedger.Configuration(defaultFeeSchedule: try FeeSchedule(rate: "0.07", exponent: "1", takerOnly: true))
        var ledger = FillLedger(configuration: fees)
        do {
            let store = try FillStore(path: path)
            for order in Self.orders {
                try store.save(ledger.track(order), counters: ledger.counters)
                try store.save(ledger.record(.submitted, orderID: order.orderID, atMillis: 1_000), counters: ledger.counters)
            }
            for trade in Self.trades { try store.save(ledger.ingest(trade), counters: ledger.counters, cursor: .init(name: "trades", value: "\(trade.observedAtMillis)")) }
            try store.save(ledger.record(.cancelled, orderID: S.orderID(3), atMillis: 4_000), counters: ledger.counters)
            try store.save(ledger.resolve(market: S.market, winner: S.down, atMillis: 5_000), counters: ledger.counters)
        }
        // A new process (here: a new connection) rebuilds the ledger.
        let store = try FillStore(path: path)
        var restored = try store.loadLedger(configuration: fees)
        #expect(restored.positions == ledger.positions && !restored.positions.isEmpty)
        #expect(restored.fills == ledger.fills && restored.orders == ledger.orders && restored.counters == ledger.counters)
        #expect(restored.snapshot == ledger.snapshot)
        #expect(ExecutionStats(ledger: restored) == ExecutionStats(ledger: ledger))
        #expect(try store.cursor(named: "trades") == "2100")
        #expect(try store.cursor(named: "none") == nil)
        #expect(restored.order(S.orderID(3))?.state == .cancelled && restored.position(S.upKey)?.isResolved == true)

        // The venue repeats everything after the restart: nothing counts twice.
        for trade in Self.trades {
            let update = restored.ingest(trade)
            #expect(update.isEmpty && update.dropped == nil)
            try store.save(update, counters: restored.counters)
        }
        #expect(restored.positions == ledger.positions && restored.fills.count == ledger.fills.count)
        // And what is new still is: t2 is confirmed after the restart, and survives another one.
        try store.save(restored.ingest(S.takerTrade("t2", order: 1, .buy, size: 4_000_000, price: 490_000, status: .confirmed)), counters: restored.counters)
        let again = try FillStore(path: path).loadLedger(configuration: fees)
        #expect(again.fill(FillKey(tradeID: "t2", orderID: S.orderID(1)))?.status == .confirmed)
        #expect(again.positions == restored.positions && again.counters == restored.counters)
        try? FileManager.default.removeItem(at: directory)
    }

    @Test func aFillOfAnOrderThatWasNeverSavedIsRefusedWhole() throws {
        let store = try FillStore(path: path)
        var ledger = S.ledger([S.order(1, size: 10_000_000)])     // tracked, but the tracking was not saved
        var update = ledger.ingest(S.takerTrade("t1", order: 1, .buy, size: 1_000_000, price: 500_000))
        #expect(update.orders.count == 1 && update.newFills.count == 1)
        update.orders = []                                           // the fill alone
        #expect(throws: FillStore.Failure.self) { try store.save(update, counters: ledger.counters, cursor: .init(name: "trades", value: "9")) }
        // The transaction rolled back: not even the cursor was written.
        #expect(try store.cursor(named: "trades") == nil)
        #expect(try store.loadSnapshot().fills.isEmpty)
        try store.save(.init(name: "trades", value: "10"))
        #expect(try store.cursor(named: "trades") == "10")
        try? FileManager.default.removeItem(at: directory)
    }

    @Test func anUnopenablePathIsAClearError() {
        do {
            _ = try FillStore(path: "/nonexistent-\(UUID().uuidString)/fills.sqlite")
            Issue.record("opened a fill store in a directory that does not exist")
        } catch {
            #expect(error.description.hasPrefix("fill store /nonexistent-"))
        }
    }
}
