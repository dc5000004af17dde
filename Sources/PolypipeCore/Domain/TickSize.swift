/// A market's minimum price increment, and the decimal precision each one implies (spec §2.1).
///
/// Exactly six tick sizes exist; anything else is refused rather than guessed.
public enum TickSize: String, Sendable, CaseIterable, Hashable, CustomStringConvertible {
    case tenth = "0.1"
    case hundredth = "0.01"
    case fiveThousandths = "0.005"
    case twentyFiveTenThousandths = "0.0025"
    case thousandth = "0.001"
    case tenThousandth = "0.0001"

    /// Decimal places of a price, a size and an amount at this tick (the SDKs' `ROUNDING_CONFIG`).
    public struct Precision: Sendable, Hashable {
        public let price: Int
        public let size: Int
        public let amount: Int
    }

    /// Parses the tick as the venue writes it ("0.01"); trailing zeros are tolerated ("0.010").
    public init?(text: String) {
        if let exact = TickSize(rawValue: text) { self = exact; return }
        guard let value = try? ExactDecimal(text),
              let match = TickSize.allCases.first(where: { $0.value == value }) else { return nil }
        self = match
    }

    public var precision: Precision {
        switch self {
        case .tenth: return Precision(price: 1, size: 2, amount: 3)
        case .hundredth: return Precision(price: 2, size: 2, amount: 4)
        case .fiveThousandths: return Precision(price: 3, size: 2, amount: 5)
        case .twentyFiveTenThousandths: return Precision(price: 4, size: 2, amount: 6)
        case .thousandth: return Precision(price: 3, size: 2, amount: 5)
        case .tenThousandth: return Precision(price: 4, size: 2, amount: 6)
        }
    }

    /// The tick as an exact decimal.
    public var value: ExactDecimal {
        // The raw values are valid decimal literals, so this cannot fail.
        (try? ExactDecimal(rawValue)) ?? ExactDecimal(units: 1, scale: 2)
    }

    /// The highest valid price, `1 − tick`.
    public var maxPrice: ExactDecimal {
        let tick = value
        return ExactDecimal(units: UInt128(10).power(tick.scale) - tick.units, scale: tick.scale)
    }

    public var description: String { rawValue }
}
