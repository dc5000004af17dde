import PolypipeCore
/// A reference (spot) price in US dollars, held exactly as integer micro-dollars
/// (`67123.45` → 67 123 450 000).
///
/// RTDS and Chainlink values can carry more than six decimals; they are rounded half-even to
/// six, which is far below any price move that matters to a window (a millionth of a dollar on
/// a ~$100 000 price). The probability model converts to `Double` only inside its formula.
public struct SpotPrice: Sendable, Hashable, Comparable, CustomStringConvertible {
    public let micros: UInt64

    public init(micros: UInt64) { self.micros = micros }

    /// Parses decimal text or a JSON number literal (`"67123.45"`, `6.712345e4`).
    /// - Returns: nil when the text is not a non-negative decimal or is zero (a zero reference
    ///   price would make every log-return infinite).
    public init?(text: String) {
        guard let value = try? ExactDecimal(text, places: 6, rounding: .halfEven),
              let units = value.units(atScale: 6), units > 0, units <= UInt128(UInt64.max) else { return nil }
        micros = UInt64(units)
    }

    /// The price as a `Double`, for the probability model only.
    public var doubleValue: Double { Double(micros) / 1_000_000 }

    public static func < (lhs: SpotPrice, rhs: SpotPrice) -> Bool { lhs.micros < rhs.micros }

    public var description: String { MicroUnits.format(micros) }
}
