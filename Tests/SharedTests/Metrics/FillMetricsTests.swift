import Foundation
import Testing
import Bus
import Fills
import PolypipeCore
import Prometheus

/// fill-proc's metrics, read back as Prometheus text.
@Suite struct FillMetricsTests {
    typealias S = FillScenario

    @Test func newFillsCountBySideAndStateSetsTheGauges() {
        let registry = PrometheusCollectorRegistry()
        let metrics = FillMetrics(factory: PrometheusMetricsFactory(registry: registry))
        var ledger = S.ledger([S.order(1, size: 2_000_000, expected: 500_000), S.order(2, .sell, size: 1_000_000)])
        metrics.record(ledger.ingest(S.takerTrade("t1", order: 1, .buy, size: 1_000_000, price: 500_000)))
        // The same trade again is a duplicate, not a second fill.
        metrics.record(ledger.ingest(S.takerTrade("t1", order: 1, .buy, size: 1_000_000, price: 500_000)))
        metrics.record(ledger.ingest(S.takerTrade("t2", order: 2, .sell, size: 1_000_000, price: 520_000)))

        var state = Polypipe_Bus_V1_FillState()
        var open = Polypipe_Bus_V1_Position()
        open.sizeMicros = 1_000_000
        open.unrealizedPnlMicros = -50_000
        open.feesMicros = 7_000
        var flat = Polypipe_Bus_V1_Position()
        flat.feesMicros = 3_000
        state.positions = [open, flat]
        state.realizedPnlMicros = 20_000
        state.counters.tradesSeen = 3
        state.counters.pollFailures = 2
        metrics.record(state)
        state.counters.tradesSeen = 5
        metrics.record(state)

        let text = registry.emitToString()
        #expect(text.contains(#"polypipe_fills_total{side="buy"} 1"#) && text.contains(#"polypipe_fills_total{side="sell"} 1"#), "\(text)")
        #expect(text.contains("polypipe_positions 1") && text.contains("polypipe_realized_pnl_micros 20000"), "\(text)")
        #expect(text.contains("polypipe_unrealized_pnl_micros -50000") && text.contains("polypipe_fees_micros 10000"))
        #expect(text.contains("polypipe_trade_observations_total 5") && text.contains("polypipe_venue_poll_failures_total 2"),
                "counters follow the running totals: \(text)")
    }
}
