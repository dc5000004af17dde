import Bus
import CoreMetrics

/// fill-proc's metrics (swift-metrics; Prometheus names), fed from the state it publishes —
/// so a metric never disagrees with what recon-proc and the operator read.
///
/// | name | kind |
/// |---|---|
/// | `polypipe_positions` | gauge: open positions (size ≠ 0, not resolved) |
/// | `polypipe_realized_pnl_micros`, `polypipe_unrealized_pnl_micros`, `polypipe_fees_micros` | gauge |
/// | `polypipe_fills_total{side}` | counter: fills of ours, at first sight |
/// | `polypipe_voided_fills_total` | counter: fills the venue declared FAILED |
/// | `polypipe_trade_observations_total`, `polypipe_duplicate_trades_total` | counter |
/// | `polypipe_venue_poll_failures_total`, `polypipe_user_channel_reconnects_total` | counter |
/// | `polypipe_fill_latency_seconds{stage}` | histogram: `first_fill` (order sent → its first match), `confirmed` (match → CONFIRMED) |
///
/// Fills and voids are counted from each ledger update; the other counters follow fill-proc's
/// own running totals (``Polypipe_Bus_V1_FillCounters``): each publish adds what the totals
/// grew by, so a counter never goes down.
///
/// Not thread-safe: use it on fill-proc's loop thread.
public final class FillMetrics {
    private let positions, realized, unrealized, fees: Gauge
    private let buys, sells, voided: Counter
    private let firstFill, confirmed: Timer
    private let counters: [(Counter, KeyPath<Polypipe_Bus_V1_FillCounters, UInt64>)]
    private var last: Polypipe_Bus_V1_FillCounters?

    public init(factory: any MetricsFactory = MetricsSystem.factory) {
        positions = Gauge(label: "polypipe_positions", factory: factory)
        realized = Gauge(label: "polypipe_realized_pnl_micros", factory: factory)
        unrealized = Gauge(label: "polypipe_unrealized_pnl_micros", factory: factory)
        fees = Gauge(label: "polypipe_fees_micros", factory: factory)
        buys = Counter(label: "polypipe_fills_total", dimensions: [("side", "buy")], factory: factory)
        sells = Counter(label: "polypipe_fills_total", dimensions: [("side", "sell")], factory: factory)
        voided = Counter(label: "polypipe_voided_fills_total", factory: factory)
        firstFill = Timer(label: "polypipe_fill_latency_seconds", dimensions: [("stage", "first_fill")], factory: factory)
        confirmed = Timer(label: "polypipe_fill_latency_seconds", dimensions: [("stage", "confirmed")], factory: factory)
        counters = [
            (Counter(label: "polypipe_trade_observations_total", factory: factory), \.tradesSeen),
            (Counter(label: "polypipe_duplicate_trades_total", factory: factory), \.duplicates),
            (Counter(label: "polypipe_venue_poll_failures_total", factory: factory), \.pollFailures),
            (Counter(label: "polypipe_user_channel_reconnects_total", factory: factory), \.wsReconnects),
        ]
    }

    /// What one ingest changed: its new fills and its voids; `latency` gives a new fill's
    /// order-sent → match time (ms), when known.
    public func record(_ update: LedgerUpdate, latency: (FillRecord) -> Int64? = { _ in nil }) {
        for fill in update.newFills {
            (fill.side == .sell ? sells : buys).increment()
            if let millis = latency(fill), millis >= 0 { firstFill.recordMilliseconds(millis) }
        }
        for fill in update.settled where fill.status == .confirmed {
            if fill.statusChangedAtMillis >= fill.matchedAtMillis { confirmed.recordMilliseconds(fill.statusChangedAtMillis - fill.matchedAtMillis) }
        }
        if !update.voided.isEmpty { voided.increment(by: Int64(update.voided.count)) }
    }

    /// The state fill-proc just published.
    public func record(_ state: Polypipe_Bus_V1_FillState) {
        positions.record(state.positions.filter { $0.sizeMicros != 0 && !$0.resolved }.count)
        realized.record(state.realizedPnlMicros)
        unrealized.record(state.positions.reduce(Int64(0)) { $0 + $1.unrealizedPnlMicros })
        fees.record(Int64(clamping: state.positions.reduce(UInt64(0)) { $0 + $1.feesMicros }))
        let now = state.counters
        for (counter, path) in counters {
            let before = last?[keyPath: path] ?? 0
            if now[keyPath: path] > before { counter.increment(by: Int64(clamping: now[keyPath: path] - before)) }
        }
        last = now
    }
}
