import Bus
import CoreMetrics

/// recon-proc's metrics (swift-metrics; Prometheus names), fed from the alarms and reports it
/// publishes.
///
/// | name | kind |
/// |---|---|
/// | `polypipe_alarms_total{kind,severity}` | counter: alarms raised |
/// | `polypipe_active_alarms` | gauge |
/// | `polypipe_recon_in_sync` | gauge: 1 in sync, 0 not |
/// | `polypipe_recon_cycles_total` | counter |
/// | `polypipe_recon_positions_compared` | gauge |
///
/// Not thread-safe: use it on recon-proc's loop thread.
public final class ReconMetrics {
    private let factory: any MetricsFactory
    private var alarms: [String: Counter] = [:]
    private let active, inSync, compared: Gauge
    private let cycles: Counter

    public init(factory: any MetricsFactory = MetricsSystem.factory) {
        self.factory = factory
        active = Gauge(label: "polypipe_active_alarms", factory: factory)
        inSync = Gauge(label: "polypipe_recon_in_sync", factory: factory)
        compared = Gauge(label: "polypipe_recon_positions_compared", factory: factory)
        cycles = Counter(label: "polypipe_recon_cycles_total", factory: factory)
    }

    /// An alarm recon-proc published: counted when raised, not when cleared.
    public func record(_ alarm: Polypipe_Bus_V1_Alarm) {
        guard !alarm.cleared else { return }
        let severity = alarm.severity.label
        let key = alarm.kind + "|" + severity
        let counter = alarms[key] ?? Counter(label: "polypipe_alarms_total", dimensions: [("kind", alarm.kind), ("severity", severity)],
                                             factory: factory)
        alarms[key] = counter
        counter.increment()
    }

    /// The report of one cycle.
    public func record(_ report: Polypipe_Bus_V1_ReconReport) {
        cycles.increment()
        active.record(report.active.count)
        inSync.record(report.inSync ? 1 : 0)
        compared.record(Int64(report.positionsCompared))
    }
}
