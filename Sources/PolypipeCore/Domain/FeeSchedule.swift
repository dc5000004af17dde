import Foundation

/// A market's fee curve (spec §2.5): a fill of `C` shares at price `p` costs
/// `C × rate × (p × (1 − p))^exponent` pUSD, charged to takers only when ``takerOnly``, and
/// floored to 5 decimals (a fee below 0.00001 pUSD is 0).
///
/// Fees are not part of the signed order; the venue computes them from this curve, which comes
/// from `GET /clob-markets/{condition_id}` (`fd: {r, e, to}`) or Gamma's `feeSchedule`.
///
/// The exponent is a whole number (observed: 1 on crypto Up/Down markets). A fractional
/// exponent would make the fee irrational in general, so it is refused rather than
/// approximated; the computation itself is exact for any whole exponent up to
/// ``maximumExponent``, with every division floored once at the end.
public struct FeeSchedule: Sendable, Hashable {
    /// Why a schedule was refused.
    public enum Invalid: Error, Equatable, CustomStringConvertible {
        case rate(String)
        case exponent(String)

        public var description: String {
            switch self {
            case .rate(let text): return "fee rate \"\(text)\" is not a decimal between 0 and 1 with at most 18 decimals"
            case .exponent(let text): return "fee exponent \"\(text)\" is not a whole number from 0 to \(FeeSchedule.maximumExponent)"
            }
        }
    }

    public static let maximumExponent = 8

    /// No fee at all (the default for a market whose schedule is unknown: fees are then
    /// reported as zero, never guessed).
    public static let free = FeeSchedule(checkedRate: ExactDecimal(units: 0, scale: 0), exponent: 0, takerOnly: true)

    /// `r`, exact (0.07 stays 7/100).
    public let rate: ExactDecimal
    /// `e`, a whole number.
    public let exponent: Int
    /// `to`: makers pay nothing.
    public let takerOnly: Bool

    /// - Throws: ``Invalid`` when the rate is above 1, has more than 18 decimals, or the
    ///   exponent is outside `0...maximumExponent`.
    public init(rate: ExactDecimal, exponent: Int, takerOnly: Bool) throws(Invalid) {
        guard rate.significantDecimalPlaces <= 18, rate <= ExactDecimal(units: 1, scale: 0) else { throw .rate(rate.description) }
        guard (0...Self.maximumExponent).contains(exponent) else { throw .exponent(String(exponent)) }
        self.init(checkedRate: rate.rounded(to: rate.significantDecimalPlaces, .down), exponent: exponent, takerOnly: takerOnly)
    }

    /// From the venue's text (`"0.07"`, `"1"`); the exponent text must be a whole number
    /// (`"1"`, `"1.0"`), never `"1.5"`.
    /// - Throws: ``Invalid``.
    public init(rate: String, exponent: String, takerOnly: Bool) throws(Invalid) {
        let parsedRate: ExactDecimal
        do { parsedRate = try ExactDecimal(rate) } catch { throw .rate(rate) }
        guard let power = try? ExactDecimal(exponent), power.significantDecimalPlaces == 0,
              let whole = power.units(atScale: 0), whole <= UInt128(Self.maximumExponent) else { throw .exponent(exponent) }
        try self.init(rate: parsedRate, exponent: Int(whole), takerOnly: takerOnly)
    }

    private init(checkedRate: ExactDecimal, exponent: Int, takerOnly: Bool) {
        self.rate = checkedRate
        self.exponent = exponent
        self.takerOnly = takerOnly
    }

    /// This curve with the rate a trade object reports for one leg (`fee_rate_bps`, spec §4.3,
    /// §5.2), when it reports one: a whole number of basis points above zero replaces ``rate``
    /// (700 → 0.07); exponent and taker-only rule stay the market's (for a market with no known
    /// curve, the V2 defaults observed on every fee-charging market: exponent 1, taker only).
    /// `""`, `"0"` or anything
    /// unreadable leaves the market's curve: V2 trade objects write `""` or `"0"` even where the
    /// market charges (spec §2.5), so a zero there proves nothing — and a market curve that
    /// charges when the venue did not errs on the side of a lower P&L.
    public func reported(rateBps text: String) -> FeeSchedule {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        guard !trimmed.isEmpty, trimmed.allSatisfy(\.isASCII), trimmed.allSatisfy(\.isNumber),
              let bps = UInt64(trimmed), bps > 0, bps <= 10_000 else { return self }
        let known = rate.units > 0
        return FeeSchedule(checkedRate: ExactDecimal(units: UInt128(bps), scale: 4), exponent: known ? exponent : 1, takerOnly: known ? takerOnly : true)
    }

    /// The fee for one fill, in pUSD micro-units, always a multiple of 10 (5 decimals).
    /// - Parameters:
    ///   - shares: the fill's size `C`.
    ///   - price: the fill's price `p`, in (0, 1).
    ///   - isTaker: whether our leg was the taker; makers pay nothing when ``takerOnly``.
    public func fee(shares: Shares, price: Price, isTaker: Bool) -> Collateral {
        guard isTaker || !takerOnly, rate.units > 0, shares.micros > 0, price.micros < 1_000_000 else { return Collateral(micros: 0) }
        // fee in units of 1e-5 pUSD = C·R·Q^e / (10 · 10^s · 10^(12e)), with C in share micros,
        // R/10^s the rate and Q = p(1 − p) in units of 1e-12 (p in micros).
        let q = price.micros * (1_000_000 - price.micros)
        var value = WideNatural(shares.micros)
        value.multiply(by: UInt64(rate.units))            // rate ≤ 1 with ≤ 18 decimals: fits
        for _ in 0..<exponent { value.multiply(by: q) }
        value.divide(by: 10)
        var scale = rate.scale
        while scale > 0 {
            let step = min(scale, 18)
            value.divide(by: UInt64(UInt128(10).power(step)))
            scale -= step
        }
        for _ in 0..<exponent { value.divide(by: 1_000_000_000_000) }
        // Saturates instead of trapping; no real fill comes near 1.8 × 10^12 pUSD of fees.
        return Collateral(micros: min(value.uint64 ?? .max, UInt64.max / 10) * 10)
    }
}

/// A non-negative integer of any size, for the fee formula only: a product of several 64-bit
/// factors whose floor after division must be exact. Flooring after each division by an
/// integer gives the same result as one floor at the end (⌊⌊x/a⌋/b⌋ = ⌊x/(ab)⌋).
struct WideNatural {
    /// Little-endian 64-bit limbs.
    private var limbs: [UInt64]

    init(_ value: UInt64) { limbs = [value] }

    mutating func multiply(by factor: UInt64) {
        var carry: UInt128 = 0
        for index in limbs.indices {
            let product = UInt128(limbs[index]) * UInt128(factor) + carry
            limbs[index] = UInt64(truncatingIfNeeded: product)
            carry = product >> 64
        }
        if carry > 0 { limbs.append(UInt64(carry)) }
    }

    /// Floors. `divisor` must be positive.
    mutating func divide(by divisor: UInt64) {
        var remainder: UInt128 = 0
        for index in limbs.indices.reversed() {
            let current = (remainder << 64) | UInt128(limbs[index])
            limbs[index] = UInt64(current / UInt128(divisor))
            remainder = current % UInt128(divisor)
        }
        while limbs.count > 1, limbs[limbs.count - 1] == 0 { limbs.removeLast() }
    }

    /// The value, when it fits in 64 bits.
    var uint64: UInt64? { limbs.dropFirst().allSatisfy { $0 == 0 } ? limbs[0] : nil }
}
