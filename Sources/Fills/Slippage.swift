import PolypipeCore
/// How much worse (or better) a fill's price was than the price the action expected.
///
/// Sign convention: **positive is worse for us**, on both sides. A BUY filled at 0.53 when
/// 0.52 was expected has slippage +0.01; a SELL filled at 0.51 when 0.52 was expected also has
/// +0.01. Price improvement is negative.
///
/// The relative form is a fraction of the expected price in micro-units (1 bp = 100), rounded
/// half away from zero; the absolute form is exact.
public struct Slippage: Sendable, Hashable {
    /// Per share, in price micro-units; positive = worse.
    public let perShare: Signed<Price>
    /// `perShare / expected` in millionths (1 basis point = 100); positive = worse.
    public let relativeMicros: Int64

    /// - Parameters:
    ///   - side: our leg's side.
    ///   - price: the price our leg filled at.
    ///   - expected: the action's expected price (must be positive for a relative value; a zero
    ///     expected price gives a relative slippage of 0).
    public init(side: Side, price: Price, expected: Price) {
        let difference = Int64(price.micros) - Int64(expected.micros)
        let worse = side == .buy ? difference : -difference
        perShare = Signed(micros: worse)
        relativeMicros = expected.micros == 0 ? 0 : Self.divideRounded(Int128(worse) * 1_000_000, by: Int128(expected.micros))
    }

    /// The relative slippage in basis points with one decimal (rounded half away from zero):
    /// `"30.0"`, `"-2.5"`.
    public var basisPointsText: String { Self.basisPointsText(relativeMicros: relativeMicros) }

    /// Basis points with one decimal from a relative value in millionths (100 = 1 bp).
    public static func basisPointsText(relativeMicros: Int64) -> String {
        let tenths = divideRounded(Int128(relativeMicros), by: 10)
        let magnitude = tenths.magnitude
        return (tenths < 0 ? "-" : "") + "\(magnitude / 10).\(magnitude % 10)"
    }

    /// `numerator / denominator` rounded half away from zero; `denominator` positive.
    static func divideRounded(_ numerator: Int128, by denominator: Int128) -> Int64 {
        let (quotient, remainder) = numerator.quotientAndRemainder(dividingBy: denominator)
        var result = quotient
        if remainder.magnitude * 2 >= denominator.magnitude { result += numerator < 0 ? -1 : 1 }
        return Int64(clamping: result)
    }
}
