import CoreMetrics
import Foundation
import Logging
import Prometheus

/// One process's metrics: swift-metrics bootstrapped with the Prometheus backend, and the
/// `/metrics` endpoint when an address is given (`--metrics-address`).
///
/// ```swift
/// let metrics = try ProcessMetrics.start(address: options.metricsAddress, logger: logger)
/// defer { metrics.stop() }
/// ```
///
/// Rules:
/// - Bootstrapping happens once per process (swift-metrics' rule); a second ``start`` reuses it.
/// - Without an address, metrics are still recorded (cheap) but not served.
/// - The served address is logged once ("metrics served", `metrics.url`), the line `polypipe
///   up` reads to print each process's address.
public final class ProcessMetrics: Sendable {
    /// Buckets of `polypipe_stage_latency_seconds`: 100 µs to 10 s (a stage inside exec-proc
    /// takes well under a millisecond; a venue answer tens of milliseconds to seconds).
    public static let stageBuckets: [Duration] = [
        .microseconds(100), .microseconds(250), .microseconds(500), .milliseconds(1), .microseconds(2_500), .milliseconds(5),
        .milliseconds(10), .milliseconds(25), .milliseconds(50), .milliseconds(100), .milliseconds(250), .milliseconds(500),
        .seconds(1), .milliseconds(2_500), .seconds(5), .seconds(10),
    ]

    /// The process's registry (what `/metrics` prints).
    public static let registry: PrometheusCollectorRegistry = {
        let registry = PrometheusCollectorRegistry()
        var factory = PrometheusMetricsFactory(registry: registry)
        factory.durationHistogramBuckets["polypipe_stage_latency_seconds"] = stageBuckets
        MetricsSystem.bootstrap(factory)
        return registry
    }()

    public let endpoint: MetricsEndpoint?

    private init(endpoint: MetricsEndpoint?) { self.endpoint = endpoint }

    /// Bootstraps the backend and, when `address` is given, serves it.
    public static func start(address: LoopbackAddress?, logger: Logger) throws(MetricsError) -> ProcessMetrics {
        let registry = Self.registry
        // When this process started: a restart shows as a change (Prometheus `changes()`).
        registry.makeGauge(name: "polypipe_process_start_time_seconds").set(Double(Int64(Date().timeIntervalSince1970)))
        guard let address else { return ProcessMetrics(endpoint: nil) }
        let endpoint = try MetricsEndpoint(address: address, registry: registry, logger: logger)
        endpoint.start()
        logger.notice("metrics served", metadata: ["metrics.url": "http://\(endpoint.boundAddress)/metrics"])
        return ProcessMetrics(endpoint: endpoint)
    }

    public func stop() { endpoint?.stop() }
}
