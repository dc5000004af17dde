import Foundation
import PolypipeCore

/// The simulated BTC/USD reference price: a seeded random walk, one step per sim second, in
/// integer cents. Up/Down windows resolve on it (Up if the end price ≥ the start price).
///
/// The walk's statistics (volatility, the normal draws) use `Double`; the price itself is an
/// exact integer.
struct ReferencePrice: Sendable {
    /// Price in cents.
    private(set) var cents: Int64
    /// Unix seconds of the last step.
    private(set) var second: Int64
    /// One-second volatility as a fraction of the price (≈ 60 % a year).
    let volatilityPerSecond: Double
    private var random: SplitMix64
    /// Price at each second that a window boundary needs (unix second → cents): every 20
    /// seconds (every window length is a multiple), and every second of the last
    /// ``recentSeconds`` (the market makers' lagged view).
    private(set) var history: [Int64: Int64] = [:]
    static let recentSeconds: Int64 = 30

    init(seed: UInt64, startCents: Int64 = 10_000_000, startSecond: Int64, volatilityPerSecond: Double = 0.0001) {
        cents = startCents
        second = startSecond
        self.volatilityPerSecond = volatilityPerSecond
        random = SplitMix64(seed: seed ^ 0x5EED_0F_B7C)
        history[startSecond] = startCents
    }

    /// Walks forward to `now` (unix seconds), one step per second.
    mutating func advance(to now: Int64) {
        while second < now {
            second += 1
            let step = Double(cents) * volatilityPerSecond * normal()
            cents = max(100, cents + Int64(step.rounded()))
            history[second] = cents
            let old = second - Self.recentSeconds
            if old % 20 != 0 { history[old] = nil }
        }
    }

    /// The price at unix second `at` (exact for 20-second boundaries and the last
    /// ``recentSeconds`` seconds).
    func price(at: Int64) -> Int64? {
        at == second ? cents : history[at]
    }

    /// A standard normal draw (Box–Muller).
    private mutating func normal() -> Double {
        let u1 = max(Double(random.next() >> 11) / Double(1 << 53), .leastNonzeroMagnitude)
        let u2 = Double(random.next() >> 11) / Double(1 << 53)
        return (-2 * log(u1)).squareRoot() * cos(2 * .pi * u2)
    }

    /// The model probability that the price ends at or above `start` after `remaining` seconds,
    /// from `spot` (cents; the current price when nil).
    func probabilityUp(start: Int64, remaining: Int64, spot: Int64? = nil) -> Double {
        let cents = spot ?? self.cents
        guard remaining > 0 else { return cents >= start ? 1 : 0 }
        let sigma = volatilityPerSecond * Double(remaining).squareRoot()
        guard sigma > 0 else { return cents >= start ? 1 : 0 }
        let z = log(Double(cents) / Double(start)) / sigma
        return 0.5 * erfc(-z / 2.0.squareRoot())
    }
}
