import Foundation
import Testing
import Bus
import Execution
import Prometheus

/// exec-proc's metrics, read back as the Prometheus text `/metrics` serves.
@Suite struct ExecMetricsTests {
    @Test func orderEventsCountByOutcomeAndTimeEachStage() {
        let registry = PrometheusCollectorRegistry()
        let metrics = ExecMetrics(factory: PrometheusMetricsFactory(registry: registry))
        var event = Polypipe_Bus_V1_OrderEvent()
        event.outcome = .accepted
        event.actionCreatedAtMs = 1_000
        event.receivedAtNs = 1_002_000_000     // 2 ms after creation
        event.sentAtNs = 1_002_400_000         // 400 µs inside exec-proc
        event.answeredAtNs = 1_032_400_000     // 30 ms at the venue
        metrics.record(event)
        metrics.record(event)
        var refused = Polypipe_Bus_V1_OrderEvent()
        refused.outcome = .refused
        refused.actionCreatedAtMs = 1_000
        refused.receivedAtNs = 1_001_000_000   // no send, no answer: only "received" is timed
        metrics.record(refused)
        var cancel = Polypipe_Bus_V1_CancelEvent()
        cancel.outcome = .cancelPartial
        metrics.record(cancel)

        let text = registry.emitToString()
        #expect(text.contains(#"polypipe_orders_total{outcome="accepted"} 2"#), "\(text)")
        #expect(text.contains(#"polypipe_orders_total{outcome="refused"} 1"#))
        #expect(text.contains(#"polypipe_cancels_total{outcome="partial"} 1"#))
        #expect(text.contains(#"polypipe_stage_latency_seconds_count{stage="received"} 3"#), "\(text)")
        #expect(text.contains(#"polypipe_stage_latency_seconds_count{stage="sent"} 2"#))
        #expect(text.contains(#"polypipe_stage_latency_seconds_count{stage="answered"} 2"#))
        // 30 ms: above the 25 ms bucket, inside the 50 ms one (default buckets here).
        #expect(text.contains(#"polypipe_stage_latency_seconds_bucket{stage="answered",le="0.025"} 0"#), "\(text)")
        #expect(text.contains(#"polypipe_stage_latency_seconds_bucket{stage="answered",le="0.05"} 2"#))
    }

    /// With every stamp, each stage is timed from the one before it.
    @Test func everyStageIsTimedFromTheStampBeforeIt() {
        var event = Polypipe_Bus_V1_OrderEvent()
        event.actionCreatedAtMs = 1_000
        event.receivedAtNs = 1_000_500_000
        event.validatedAtNs = 1_000_600_000
        event.signedAtNs = 1_000_900_000
        event.journaledAtNs = 1_001_000_000
        event.sentAtNs = 1_001_050_000
        event.answeredAtNs = 1_021_050_000
        #expect(event.stageDurations.map(\.stage) == OrderStage.allCases)
        #expect(event.stageDurations.map(\.nanos) == [500_000, 100_000, 300_000, 100_000, 50_000, 20_000_000])
        // Refused at validation: only `received` is timed.
        event.validatedAtNs = 0
        event.signedAtNs = 0
        event.journaledAtNs = 0
        event.sentAtNs = 0
        event.answeredAtNs = 0
        #expect(event.stageDurations.map(\.stage) == [.received])
    }

    @Test func theStatusSetsTheGauges() {
        let registry = PrometheusCollectorRegistry()
        let metrics = ExecMetrics(factory: PrometheusMetricsFactory(registry: registry))
        var status = Polypipe_Bus_V1_ExecStatus()
        status.state = .halted
        status.totalExposureMicros = 12_500_000
        status.openOrders = 3
        status.venueHeartbeatOk = true
        status.actionsReceived = 7
        status.malformedMessages = 1
        metrics.record(status)
        status.actionsReceived = 9
        metrics.record(status)
        let text = registry.emitToString()
        #expect(text.contains("polypipe_trading_state 2") && text.contains("polypipe_exposure_micros 12500000"), "\(text)")
        #expect(text.contains("polypipe_open_orders 3") && text.contains("polypipe_venue_heartbeat_ok 1"))
        #expect(text.contains("polypipe_actions_total 9") && text.contains("polypipe_malformed_bus_messages_total 1"), "counters follow the totals: \(text)")
        #expect(text.contains(#"polypipe_ratelimit_headroom_tokens{bucket="orders"} 0"#), "no tier yet: \(text)")
        status.rateLimitTier = "standard"
        status.rateLimitOrderTokens = 42
        status.rateLimitCancelTokens = 60
        status.rateLimitWaits = 3
        status.rateLimitStale = 1
        metrics.record(status)
        let paced = registry.emitToString()
        #expect(paced.contains(#"polypipe_ratelimit_headroom_tokens{bucket="orders"} 42"#), "\(paced)")
        #expect(paced.contains(#"polypipe_ratelimit_headroom_tokens{bucket="cancels"} 60"#))
        #expect(paced.contains("polypipe_ratelimit_waits_total 3") && paced.contains(#"polypipe_ratelimit_refusals_total{reason="stale"} 1"#))
    }
}
