/// Decimal text ⇄ 6-decimal integer units, the one representation of money in polypipe
/// (pUSD and outcome shares both have six decimals on chain).
///
/// Text with more than six significant decimals is refused, never rounded: a venue answer that
/// cannot be represented exactly is an error to look at, not a value to guess.
public enum MicroUnits {
    /// Why text is not an exact 6-decimal amount.
    public enum ParseError: Error, Equatable, CustomStringConvertible {
        case notANumber(String)
        case tooPrecise(String)
        case tooLarge(String)

        public var description: String {
            switch self {
            case .notANumber(let text): return "\"\(text)\" is not a non-negative decimal number"
            case .tooPrecise(let text): return "\(text) has more than 6 decimals"
            case .tooLarge(let text): return "\(text) is too large"
            }
        }
    }

    /// `"0.57"` → 570000; `"100.0000"` → 100000000.
    public static func parse(_ text: String) throws(ParseError) -> UInt64 {
        let value: ExactDecimal
        do { value = try ExactDecimal(text) } catch { throw .notANumber(text) }
        guard value.significantDecimalPlaces <= 6 else { throw .tooPrecise(text) }
        guard let units = value.units(atScale: 6), units <= UInt128(UInt64.max) else { throw .tooLarge(text) }
        return UInt64(units)
    }

    /// 570000 → `"0.57"`; 100000000 → `"100"` (shortest exact text).
    public static func format(_ micros: UInt64) -> String {
        let whole = micros / 1_000_000
        var fraction = micros % 1_000_000
        guard fraction != 0 else { return String(whole) }
        var digits = 6
        while fraction % 10 == 0 { fraction /= 10; digits -= 1 }
        let text = String(fraction)
        return "\(whole)." + String(repeating: "0", count: digits - text.count) + text
    }

    /// Exact text padded to at least `minimumDecimals` decimals (at most 6), never rounded:
    /// 10000000 → `"10.00"`, 9000 → `"0.009"` with a minimum of 2; 1250000 → `"1.250000"` with 6.
    /// For reports, where columns line up but a dust-sized amount must not print as zero.
    public static func format(_ micros: UInt64, minimumDecimals: Int) -> String {
        let exact = format(micros)
        let wanted = min(max(minimumDecimals, 0), 6)
        guard wanted > 0 else { return exact }
        let decimals = exact.firstIndex(of: ".").map { exact.distance(from: $0, to: exact.endIndex) - 1 } ?? 0
        guard decimals < wanted else { return exact }
        return (decimals == 0 ? exact + "." : exact) + String(repeating: "0", count: wanted - decimals)
    }
}

/// A non-negative quantity held as integer micro-units (6 decimals): the shape ``Price``,
/// ``Shares`` and ``Collateral`` share. Parsing and printing go through ``MicroUnits``.
public protocol MicroUnitAmount: Sendable, Hashable, Comparable, CustomStringConvertible {
    var micros: UInt64 { get }
    init(micros: UInt64)
}

extension MicroUnitAmount {
    /// Parses decimal text exactly ("0.57", "100.0000").
    /// - Throws: ``MicroUnits/ParseError``.
    public init(_ text: String) throws(MicroUnits.ParseError) {
        self.init(micros: try MicroUnits.parse(text))
    }

    public static func < (lhs: Self, rhs: Self) -> Bool { lhs.micros < rhs.micros }

    /// The shortest exact decimal text.
    public var description: String { MicroUnits.format(micros) }
}

/// A price per share in micro-units of pUSD (0.57 → 570 000). Prices are in (0, 1).
public struct Price: MicroUnitAmount {
    public let micros: UInt64
    public init(micros: UInt64) { self.micros = micros }
}

/// A quantity of outcome shares in micro-units (1 share = 1 000 000).
public struct Shares: MicroUnitAmount {
    public let micros: UInt64
    public init(micros: UInt64) { self.micros = micros }
}

/// An amount of pUSD collateral in micro-units ($1 = 1 000 000).
public struct Collateral: MicroUnitAmount {
    public let micros: UInt64
    public init(micros: UInt64) { self.micros = micros }
}
