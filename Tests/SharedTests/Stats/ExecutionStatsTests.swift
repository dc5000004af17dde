import Foundation
import Testing
import Fills
import PolypipeCore

@Suite struct ExecutionStatsTests {
    typealias S = FillScenario
    static let downKey = PositionKey(market: S.market, token: S.down)

    /// Four orders sent (one never fills, and its only fill is a ghost), one never sent.
    static func ledger() -> FillLedger {
        var ledger = FillLedger()
        let orders = [(S.order(1, size: 10_000_000, expected: 500_000, createdAt: 1_000), true),
                      (S.order(2, size: 10_000_000, expected: 520_000, createdAt: 2_000), true),
                      (S.order(3, .sell, size: 5_000_000, expected: 600_000, createdAt: 3_000), true),
                      (S.order(4, size: 4_000_000, expected: 400_000, token: S.down, createdAt: 4_000), true),
                      (S.order(5, size: 4_000_000, expected: 400_000, createdAt: 5_000), false)]
        for (order, sent) in orders {
            _ = ledger.track(order)
            if sent { _ = ledger.record(.submitted, orderID: order.orderID, atMillis: order.createdAtMillis) }
        }
        _ = ledger.ingest(S.takerTrade("t1", order: 1, .buy, size: 10_000_000, price: 510_000, matchedAt: 1_035))
        _ = ledger.ingest(S.takerTrade("t2", order: 2, .buy, size: 10_000_000, price: 520_000, matchedAt: 2_080))
        _ = ledger.ingest(S.takerTrade("t3", order: 3, .sell, size: 5_000_000, price: 590_000, matchedAt: 3_010))
        _ = ledger.ingest(S.takerTrade("t4", order: 4, .buy, size: 4_000_000, price: 450_000, token: S.down, status: .failed, matchedAt: 4_001))
        return ledger
    }

    @Test func theBlockReadsAsTheSeedShowsIt() {
        let stats = ExecutionStats(ledger: Self.ledger(), marks: [S.upKey: Price(micros: 550_000)], labels: [S.upKey: "up", Self.downKey: "down"])
        // Latency 35, 80, 10 ms: average 41.67 → 42, nearest rank p50 35, p95 and p99 80.
        // Slippage +0.01 × 10, 0 × 10, +0.01 × 5 (a SELL below expected is worse): 0.15 / 25 = 0.006 per share,
        // 0.15 / 13.2 of expected value = 113.6 bps. Position: 20 @ 0.515, 5 sold at 0.59: +0.375 realized,
        // 15 left marked at 0.55: +0.525.
        #expect(stats.text == """
            Execution statistics
              orders            4
              fills             3 (fill rate 75.0%)
              fill latency      avg 42 ms  p50 35 ms  p95 80 ms  p99 80 ms
              slippage          avg 0.0060 (113.6 bps)
              net realized P&L  +0.375000 pUSD
              active positions  1
              fees paid         0.000000 pUSD
              unrealized P&L    +0.525000 pUSD
              voided fills      1
              per asset
                up  orders 3  fills 3  position 15.00 @ 0.515  realized +0.375000  unrealized +0.525000
                down  orders 1  fills 0  position 0.00 @ 0.00  realized +0.000000
            """)
        #expect(stats.fillRateBasisPoints == 7_500 && stats.filledOrders == 3 && stats.voidedFills == 1)
    }

    @Test func theJSONFormCarriesTheSameFacts() throws {
        let stats = ExecutionStats(ledger: Self.ledger())
        let decoded = try JSONDecoder().decode(ExecutionStats.self, from: Data(stats.json.utf8))
        #expect(decoded == stats)
        let object = try JSONParser.parse(Array(stats.json.utf8))
        #expect(object["realizedPnLMicros"] == .number("375000") && object["orders"] == .number("4"))
        #expect(object["latency"]?["p95Millis"] == .number("80") && object["unrealizedPnLMicros"] == nil)
    }

    @Test func percentilesAreByNearestRank() {
        let hundred = (1...100).map(Int64.init)
        #expect(ExecutionStats.nearestRank(hundred.shuffled(), percent: 50) == 50)
        #expect(ExecutionStats.nearestRank(hundred, percent: 95) == 95 && ExecutionStats.nearestRank(hundred, percent: 99) == 99)
        #expect(ExecutionStats.nearestRank(hundred, percent: 100) == 100 && ExecutionStats.nearestRank(hundred, percent: 1) == 1)
        // Rank ⌈p/100 × n⌉: with two values p50 is the first, p51 the second.
        #expect(ExecutionStats.nearestRank([20, 10], percent: 50) == 10 && ExecutionStats.nearestRank([20, 10], percent: 51) == 20)
        #expect(ExecutionStats.nearestRank([7], percent: 99) == 7)
        #expect(ExecutionStats.nearestRank([], percent: 50) == nil && ExecutionStats.nearestRank([1], percent: 0) == nil)
    }

    @Test func anEmptyLedgerSaysSoInsteadOfDividingByZero() {
        let stats = ExecutionStats(ledger: FillLedger())
        #expect(stats.latency == nil && stats.slippage == nil && stats.fillRateBasisPoints == 0)
        #expect(stats.text.contains("fills             0 (fill rate 0.0%)") && stats.text.contains("fill latency      none measured"))
    }
}
