import Bus
import CoreMetrics

/// exec-proc's metrics (swift-metrics; Prometheus names), fed from what it publishes on the
/// bus — so a metric can never disagree with an order event.
///
/// | name | kind | labels |
/// |---|---|---|
/// | `polypipe_orders_total` | counter | `outcome` (accepted, rejected, unknown, refused, dry_run, canceled, duplicate) |
/// | `polypipe_cancels_total` | counter | `outcome` (done, partial, failed, unknown, refused, duplicate) |
/// | `polypipe_stage_latency_seconds` | histogram | `stage` (``OrderStage``: received, validated, signed, journaled, sent, answered) |
/// | `polypipe_trading_state` | gauge | 0 running, 1 reduce-only, 2 halted |
/// | `polypipe_exposure_micros`, `polypipe_open_orders` | gauge | |
/// | `polypipe_daily_realized_pnl_micros` | gauge | |
/// | `polypipe_venue_heartbeat_ok` | gauge | 1 or 0 |
/// | `polypipe_malformed_bus_messages_total`, `polypipe_actions_total` | counter | |
/// | `polypipe_ratelimit_headroom_tokens` | gauge | `bucket` (orders, cancels): tokens left |
/// | `polypipe_ratelimit_waits_total`, `polypipe_ratelimit_refusals_total{reason}` | counter | `reason` (stale, withdrawn) |
/// | `polypipe_ratelimit_warnings_total` | counter | the venue's warning episodes |
///
/// Not thread-safe: use it on exec-proc's loop thread, where events are published.
public final class ExecMetrics {
    /// The stages timed (``OrderStage``).
    public typealias Stage = OrderStage

    private let factory: any MetricsFactory
    private var orders: [String: Counter] = [:]
    private var cancels: [String: Counter] = [:]
    private var stages: [Stage: Timer] = [:]
    private let tradingState, exposure, openOrders, dailyPnL, heartbeat: Gauge
    private let malformed, actions: Counter
    private let orderTokens, cancelTokens: Gauge
    private let waits, stale, withdrawn, warnings: Counter
    /// The running totals of the previous status, by counter: each status adds what grew.
    private var last: [ObjectIdentifier: UInt64] = [:]

    public init(factory: any MetricsFactory = MetricsSystem.factory) {
        self.factory = factory
        tradingState = Gauge(label: "polypipe_trading_state", factory: factory)
        exposure = Gauge(label: "polypipe_exposure_micros", factory: factory)
        openOrders = Gauge(label: "polypipe_open_orders", factory: factory)
        dailyPnL = Gauge(label: "polypipe_daily_realized_pnl_micros", factory: factory)
        heartbeat = Gauge(label: "polypipe_venue_heartbeat_ok", factory: factory)
        malformed = Counter(label: "polypipe_malformed_bus_messages_total", factory: factory)
        actions = Counter(label: "polypipe_actions_total", factory: factory)
        orderTokens = Gauge(label: "polypipe_ratelimit_headroom_tokens", dimensions: [("bucket", "orders")], factory: factory)
        cancelTokens = Gauge(label: "polypipe_ratelimit_headroom_tokens", dimensions: [("bucket", "cancels")], factory: factory)
        waits = Counter(label: "polypipe_ratelimit_waits_total", factory: factory)
        stale = Counter(label: "polypipe_ratelimit_refusals_total", dimensions: [("reason", "stale")], factory: factory)
        withdrawn = Counter(label: "polypipe_ratelimit_refusals_total", dimensions: [("reason", "withdrawn")], factory: factory)
        warnings = Counter(label: "polypipe_ratelimit_warnings_total", factory: factory)
        for stage in Stage.allCases {
            stages[stage] = Timer(label: "polypipe_stage_latency_seconds", dimensions: [("stage", stage.rawValue)], factory: factory)
        }
    }

    /// An order event exec-proc published: its outcome, and each stage it has both stamps for.
    public func record(_ event: Polypipe_Bus_V1_OrderEvent) {
        let outcome = event.outcome.label
        let counter = orders[outcome] ?? Counter(label: "polypipe_orders_total", dimensions: [("outcome", outcome)], factory: factory)
        orders[outcome] = counter
        counter.increment()
        for (stage, nanos) in event.stageDurations { stages[stage]?.recordNanoseconds(nanos) }
    }

    public func record(_ event: Polypipe_Bus_V1_CancelEvent) {
        let outcome = event.outcome.label
        let counter = cancels[outcome] ?? Counter(label: "polypipe_cancels_total", dimensions: [("outcome", outcome)], factory: factory)
        cancels[outcome] = counter
        counter.increment()
    }

    /// The status exec-proc publishes once a second.
    public func record(_ status: Polypipe_Bus_V1_ExecStatus) {
        switch status.state {
        case .running: tradingState.record(0)
        case .reducing: tradingState.record(1)
        default: tradingState.record(2)
        }
        exposure.record(Int64(clamping: status.totalExposureMicros))
        openOrders.record(Int64(clamping: status.openOrders))
        dailyPnL.record(status.dailyRealizedPnlMicros)
        heartbeat.record(status.venueHeartbeatOk ? 1 : 0)
        if !status.rateLimitTier.isEmpty {
            orderTokens.record(Int64(status.rateLimitOrderTokens))
            cancelTokens.record(Int64(status.rateLimitCancelTokens))
        }
        for (counter, total) in [(malformed, status.malformedMessages), (actions, status.actionsReceived), (waits, status.rateLimitWaits),
                                 (stale, status.rateLimitStale), (withdrawn, status.rateLimitWithdrawn), (warnings, status.rateLimitWarnings)] {
            let key = ObjectIdentifier(counter)
            if total > last[key, default: 0] { counter.increment(by: Int64(clamping: total - last[key, default: 0])) }
            last[key] = total
        }
    }
}
