#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Realized volatility of a reference price from its recent ticks, per square-root second.
///
/// With log-returns `r_i = ln(S_i / S_{i−1})` over gaps `Δt_i` seconds, the estimate is
/// `σ = sqrt(Σ r_i² / Σ Δt_i)`: the variance per second of a driftless random walk, correct for
/// irregular tick spacing. Only ticks inside the last ``horizonMillis`` count, so the estimate
/// follows a change of regime. A tick whose timestamp does not move forward is ignored (feeds
/// repeat a price; a zero gap carries no time).
///
/// This is a statistic, so it is a `Double`; prices enter as exact ``SpotPrice`` values.
/// Not thread-safe (a value type: each owner has its own copy).
public struct RealizedVolatility: Sendable {
    /// Ticks older than this (relative to the newest) are dropped.
    public let horizonMillis: Int64
    /// Below this many returns ``sigmaPerSqrtSecond`` is nil: too few to trust.
    public let minimumReturns: Int

    private var lastTick: (millis: Int64, logPrice: Double)?
    /// (time of the return's end, r², gap seconds)
    private var returns: [(millis: Int64, squared: Double, seconds: Double)] = []
    private var sumSquared = 0.0
    private var sumSeconds = 0.0

    public init(horizonMillis: Int64 = 300_000, minimumReturns: Int = 5) {
        self.horizonMillis = horizonMillis
        self.minimumReturns = minimumReturns
    }

    /// Number of returns currently in the estimate.
    public var count: Int { returns.count }

    /// Adds one price observation.
    public mutating func add(_ price: SpotPrice, atMillis millis: Int64) {
        let logPrice = log(price.doubleValue)
        guard let last = lastTick else { lastTick = (millis, logPrice); return }
        guard millis > last.millis else { return }
        lastTick = (millis, logPrice)
        let r = logPrice - last.logPrice
        let seconds = Double(millis - last.millis) / 1000
        returns.append((millis, r * r, seconds))
        sumSquared += r * r
        sumSeconds += seconds
        var drop = 0
        while drop < returns.count, returns[drop].millis < millis - horizonMillis { drop += 1 }
        if drop > 0 {
            for entry in returns[..<drop] { sumSquared -= entry.squared; sumSeconds -= entry.seconds }
            returns.removeFirst(drop)
            // Recompute now and then so subtraction never accumulates rounding drift.
            if returns.count % 256 == 0 {
                sumSquared = returns.reduce(0) { $0 + $1.squared }
                sumSeconds = returns.reduce(0) { $0 + $1.seconds }
            }
        }
    }

    /// σ per √second, or nil while fewer than ``minimumReturns`` returns are known.
    public var sigmaPerSqrtSecond: Double? {
        guard returns.count >= minimumReturns, sumSeconds > 0 else { return nil }
        return (max(sumSquared, 0) / sumSeconds).squareRoot()
    }
}
