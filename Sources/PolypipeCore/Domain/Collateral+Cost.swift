/// The collateral a quantity of shares is worth at a price: `Shares × Price → Collateral`.
///
/// Both operands are 6-decimal micro-units, so the exact product has 12 decimals and must lose
/// six of them. Which way it loses them is a money decision, so every caller names it:
/// ``Rounding/up`` for what we may have to pay (risk notional, a taker's cost, reserved
/// exposure: never under-count), ``Rounding/down`` for what we are owed (proceeds, a maker's
/// value: never over-count).
///
/// The product is formed in 128 bits, so it never overflows; the result fits in 64 bits for
/// every price up to 1 (the only prices the venue has). A price above 1 times a huge size
/// could exceed `UInt64.max`: the result then saturates at `UInt64.max` (a notional no limit
/// admits) instead of trapping on input.
extension Collateral {
    /// Which way a cost that is not a whole micro-unit goes.
    public enum Rounding: Sendable, Hashable {
        /// Toward zero: what we are owed (proceeds, a maker's value).
        case down
        /// Away from zero: what we may have to pay (cost, exposure, risk notional).
        case up
    }

    /// `shares × price`, in micro-units of pUSD, rounded as asked.
    ///
    /// 1 micro-share at 0.000001 costs 1e-12 pUSD: 0 rounded down, 1 micro rounded up.
    /// 10 shares at 0.57 cost exactly 5.7 either way.
    /// - Important: money. Pick `.up` when under-counting would let more risk through.
    public static func cost(of shares: Shares, at price: Price, rounding: Rounding) -> Collateral {
        let product = UInt128(shares.micros) * UInt128(price.micros)
        let (whole, remainder) = product.quotientAndRemainder(dividingBy: 1_000_000)
        let rounded = rounding == .up && remainder != 0 ? whole + 1 : whole
        return Collateral(micros: rounded > UInt128(UInt64.max) ? UInt64.max : UInt64(rounded))
    }
}
