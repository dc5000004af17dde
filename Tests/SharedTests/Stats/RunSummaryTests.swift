import Testing
import Fills
import PolypipeCore

/// `polypipe compare`'s figures for one run.
@Suite struct RunSummaryTests {
    typealias S = FillScenario

    @Test func theSlippageTailIsTheNearestRankP95OverSurvivingFills() {
        // Twenty orders expecting 0.50, filled at 0.50 + n/1000 (n = 0…19): p95 is the 19th value, 0.018.
        var ledger = S.ledger((1...20).map { S.order($0, size: 1_000_000, expected: 500_000) })
        for n in 0..<20 {
            _ = ledger.ingest(S.takerTrade("t\(n)", order: n + 1, .buy, size: 1_000_000, price: 500_000 + UInt64(n) * 1_000))
        }
        let summary = RunSummary(label: "paper", ledger: ledger)
        #expect(summary.slippageP95Micros == 18_000)
        #expect(summary.stats.fills == 20)
        let rows = Dictionary(uniqueKeysWithValues: summary.rows.map { ($0.name, $0.value) })
        #expect(rows["slippage p95"] == "0.0180" && rows["fill rate"] == "100.00%" && rows["orders"] == "20", "\(rows)")
        // Nothing filled: no tail, and the rows say so.
        let empty = RunSummary(label: "idle", ledger: S.ledger([S.order(1, size: 1_000_000, expected: 500_000)]))
        #expect(empty.slippageP95Micros == nil)
        #expect(Dictionary(uniqueKeysWithValues: empty.rows.map { ($0.name, $0.value) })["slippage p95"] == "-")
    }

    @Test func rejectedAndCancelledOrdersAreCountedApart() {
        var ledger = S.ledger((1...5).map { S.order($0, size: 1_000_000, expected: 500_000) })
        _ = ledger.record(.rejected(reason: "min size"), orderID: S.orderID(1), atMillis: 10)
        _ = ledger.record(.cancelled, orderID: S.orderID(2), atMillis: 10)
        _ = ledger.record(.expired, orderID: S.orderID(3), atMillis: 10)
        _ = ledger.record(.accepted, orderID: S.orderID(4), atMillis: 10)
        let summary = RunSummary(label: "run", ledger: ledger)
        #expect(summary.rejectedOrders == 1 && summary.cancelledOrders == 2)
        let rows = Dictionary(uniqueKeysWithValues: summary.rows.map { ($0.name, $0.value) })
        #expect(rows["rejected by venue"] == "1" && rows["cancelled/expired"] == "2", "\(rows)")
    }
}
