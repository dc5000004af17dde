import Testing
import Bus
import Prometheus
import Reconciliation
import Strategies

/// recon-proc's and signal-proc's metrics, read back as Prometheus text.
@Suite struct ReconAndSignalMetricsTests {
    @Test func alarmsCountWhenRaisedAndReportsSetTheGauges() {
        let registry = PrometheusCollectorRegistry()
        let metrics = ReconMetrics(factory: PrometheusMetricsFactory(registry: registry))
        var alarm = Polypipe_Bus_V1_Alarm()
        alarm.kind = "position_mismatch"
        alarm.severity = .critical
        metrics.record(alarm)
        alarm.cleared = true
        metrics.record(alarm)  // a clear is not a second alarm
        var report = Polypipe_Bus_V1_ReconReport()
        report.inSync = false
        report.active = [alarm]
        report.positionsCompared = 4
        metrics.record(report)
        let text = registry.emitToString()
        #expect(text.contains(#"polypipe_alarms_total{kind="position_mismatch",severity="critical"} 1"#), "\(text)")
        #expect(text.contains("polypipe_active_alarms 1") && text.contains("polypipe_recon_in_sync 0"))
        #expect(text.contains("polypipe_recon_cycles_total 1") && text.contains("polypipe_recon_positions_compared 4"))
    }

    @Test func commandsCountByTopicAndUndeliveredApart() {
        let registry = PrometheusCollectorRegistry()
        let metrics = SignalMetrics(factory: PrometheusMetricsFactory(registry: registry))
        metrics.command(topic: "action", delivered: true)
        metrics.command(topic: "action", delivered: true)
        metrics.command(topic: "replace", delivered: true)
        metrics.command(topic: "action", delivered: false)
        metrics.malformed(feed: "market")
        metrics.disconnected(feed: "rtds")
        let text = registry.emitToString()
        #expect(text.contains(#"polypipe_strategy_commands_total{topic="action"} 2"#), "\(text)")
        #expect(text.contains(#"polypipe_strategy_commands_total{topic="replace"} 1"#))
        #expect(text.contains("polypipe_strategy_undelivered_total 1"))
        #expect(text.contains(#"polypipe_malformed_feed_messages_total{feed="market"} 1"#))
        #expect(text.contains(#"polypipe_feed_disconnects_total{feed="rtds"} 1"#))
    }
}
