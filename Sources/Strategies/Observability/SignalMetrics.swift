import CoreMetrics

/// signal-proc's metrics (swift-metrics; Prometheus names).
///
/// | name | kind |
/// |---|---|
/// | `polypipe_strategy_commands_total{topic}` | counter: commands queued for exec-proc (action, cancel, replace, batch) |
/// | `polypipe_strategy_undelivered_total` | counter: commands exec-proc's queue did not take, or that failed to send |
/// | `polypipe_malformed_feed_messages_total{feed}` | counter: market-data messages that did not parse (market, rtds) |
/// | `polypipe_feed_disconnects_total{feed}` | counter |
///
/// Not thread-safe: use it from the task that owns the ``ActionOutlet``.
public final class SignalMetrics {
    private let factory: any MetricsFactory
    private var commands: [String: Counter] = [:]
    private var malformed: [String: Counter] = [:]
    private var disconnects: [String: Counter] = [:]
    private let undelivered: Counter

    public init(factory: any MetricsFactory = MetricsSystem.factory) {
        self.factory = factory
        undelivered = Counter(label: "polypipe_strategy_undelivered_total", factory: factory)
    }

    /// One command sent on `topic`; `delivered` false when exec-proc's queue did not take it.
    public func command(topic: String, delivered: Bool) {
        if delivered {
            counter(&commands, "polypipe_strategy_commands_total", ("topic", topic)).increment()
        } else {
            undelivered.increment()
        }
    }

    public func malformed(feed: String) { counter(&malformed, "polypipe_malformed_feed_messages_total", ("feed", feed)).increment() }
    public func disconnected(feed: String) { counter(&disconnects, "polypipe_feed_disconnects_total", ("feed", feed)).increment() }

    private func counter(_ cache: inout [String: Counter], _ label: String, _ dimension: (String, String)) -> Counter {
        if let counter = cache[dimension.1] { return counter }
        let counter = Counter(label: label, dimensions: [dimension], factory: factory)
        cache[dimension.1] = counter
        return counter
    }
}
