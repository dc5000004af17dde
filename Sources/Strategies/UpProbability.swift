#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import MarketData

/// The probability that an Up/Down window resolves Up, under a driftless log-normal walk:
///
/// `P(Up) = Φ( ln(S / S0) / (σ · √τ) )`
///
/// with `S` the current reference price, `S0` the window's start price, `σ` the volatility per
/// √second and `τ` the seconds left. Ties resolve Up (spec §6.3), so with no time or no
/// volatility left the answer is 1 when `S ≥ S0`, else 0.
///
/// The result is a `Double` (a model output, never an amount); ``micros(_:)`` turns it into
/// exact micro-units by rounding **down**, so rounding can only make a trade less likely.
public enum UpProbability {
    /// - Returns: a probability in [0, 1].
    public static func probability(spot: SpotPrice, start: SpotPrice, sigmaPerSqrtSecond sigma: Double, secondsLeft tau: Double) -> Double {
        guard tau > 0, sigma > 0, sigma.isFinite else { return spot >= start ? 1 : 0 }
        let z = log(spot.doubleValue / start.doubleValue) / (sigma * tau.squareRoot())
        return standardNormalCDF(z)
    }

    /// Φ(z) = ½ · erfc(−z / √2), accurate in both tails.
    public static func standardNormalCDF(_ z: Double) -> Double {
        0.5 * erfc(-z / 2.0.squareRoot())
    }

    /// A probability as micro-units of price, rounded down and clamped to [0, 1 000 000].
    public static func micros(_ probability: Double) -> UInt64 {
        guard probability.isFinite else { return 0 }
        let clamped = min(max(probability, 0), 1)
        return UInt64((clamped * 1_000_000).rounded(.down))
    }
}
