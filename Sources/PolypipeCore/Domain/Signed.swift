/// A signed quantity of one micro-unit kind: a position that may be short, a P&L, a slippage.
///
/// ``Price``, ``Shares`` and ``Collateral`` are non-negative by construction; the differences
/// and balances built from them are not. `Signed<Collateral>` is a profit (positive) or a loss
/// (negative) in micro-units of pUSD; `Signed<Shares>` a net position; `Signed<Price>` a price
/// difference. The unit is a phantom type: it only keeps a loss from being added to a size.
///
/// Arithmetic traps on `Int64` overflow, as Swift's integers do; amounts in polypipe stay far
/// below 2^63 micro-units (9.2 trillion dollars or shares).
public struct Signed<Unit: MicroUnitAmount>: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// Signed micro-units (6 decimals).
    public let micros: Int64

    public init(micros: Int64) { self.micros = micros }

    /// A non-negative amount, made signed.
    /// - Important: traps above `Int64.max` micro-units, which no price, size or balance reaches.
    public init(_ amount: Unit) { self.micros = Int64(amount.micros) }

    public static var zero: Signed { Signed(micros: 0) }

    /// The amount without its sign.
    public var magnitude: Unit { Unit(micros: micros.magnitude) }
    public var isNegative: Bool { micros < 0 }
    public var isZero: Bool { micros == 0 }

    public static func < (lhs: Signed, rhs: Signed) -> Bool { lhs.micros < rhs.micros }
    public static func + (lhs: Signed, rhs: Signed) -> Signed { Signed(micros: lhs.micros + rhs.micros) }
    public static func - (lhs: Signed, rhs: Signed) -> Signed { Signed(micros: lhs.micros - rhs.micros) }
    public static prefix func - (value: Signed) -> Signed { Signed(micros: -value.micros) }
    public static func += (lhs: inout Signed, rhs: Signed) { lhs = lhs + rhs }

    /// The shortest exact decimal text, with a leading `-` when negative: `"-1.25"`, `"0.5"`.
    public var description: String { (micros < 0 ? "-" : "") + MicroUnits.format(micros.magnitude) }

    /// Exact decimal text with at least `minimumDecimals` decimals and an explicit sign:
    /// `"+1.250000"`, `"-0.50"`, `"+0.00"`. For P&L lines, where the sign is the point.
    public func signedText(minimumDecimals: Int) -> String {
        (micros < 0 ? "-" : "+") + MicroUnits.format(micros.magnitude, minimumDecimals: minimumDecimals)
    }
}
