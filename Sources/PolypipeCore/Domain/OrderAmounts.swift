/// The two signed amounts of an order, in 6-decimal base units (pUSD and shares both have six
/// decimals), computed exactly from decimal text (spec §2.2, §2.3).
///
/// The algorithm is the official SDKs' (`get_order_amounts`, `get_market_order_amounts`) run in
/// exact decimal arithmetic. It equals the official client wherever that client's binary floats
/// are exact, and the vectors' `exact_decimal_reference` everywhere.
///
/// - Important: BUY gives collateral and receives shares; SELL gives shares and receives collateral.
///   `makerAmount` is what the maker gives, `takerAmount` the least it accepts.
public struct OrderAmounts: Sendable, Hashable {
    /// What the maker gives, in base units.
    public let makerAmount: UInt128
    /// What the maker must receive at least, in base units.
    public let takerAmount: UInt128
    /// The price the amounts were computed at, after the SDK's rounding.
    public let price: ExactDecimal

    public init(makerAmount: UInt128, takerAmount: UInt128, price: ExactDecimal) {
        self.makerAmount = makerAmount
        self.takerAmount = takerAmount
        self.price = price
    }

    /// Why amounts could not be computed.
    public enum Failure: Error, Equatable, CustomStringConvertible {
        /// The price is outside `[tick, 1 − tick]` (checked on the price as given, before rounding).
        case priceOutOfRange(price: String, tick: TickSize)
        /// A number could not be read.
        case badNumber(field: String, reason: String)
        /// An amount does not fit in the signed integer range we support.
        case amountTooLarge(field: String)

        public var description: String {
            switch self {
            case .priceOutOfRange(let price, let tick):
                return "invalid price (\(price)), min: \(tick.value.shortDescription) - max: \(tick.maxPrice.shortDescription)"
            case .badNumber(let field, let reason):
                return "\(field): \(reason)"
            case .amountTooLarge(let field):
                return "\(field) is too large"
            }
        }
    }

    /// Amounts of a limit order (GTC/GTD, or a marketable limit sent as FOK/FAK).
    ///
    /// Price is rounded half-even to the tick's price decimals, size floored to 2 decimals;
    /// BUY: taker = size, maker = size × price; SELL: maker = size, taker = size × price.
    /// - Parameters:
    ///   - price: price per share as decimal text, e.g. `"0.57"`.
    ///   - size: shares as decimal text.
    /// - Throws: ``Failure``.
    public static func limit(side: Side, price priceText: String, size sizeText: String, tick: TickSize) throws(Failure) -> OrderAmounts {
        let precision = tick.precision
        let price = try checkRange(priceText, tick: tick).rounded(to: precision.price, .halfEven)
        let size = try parse(sizeText, field: "size", places: precision.size, .down)
        let notional = fixAmount(multiply(size, price), amountPlaces: precision.amount)
        switch side {
        case .buy:
            return OrderAmounts(makerAmount: try baseUnits(notional, field: "maker amount"),
                                takerAmount: try baseUnits(size, field: "taker amount"), price: price)
        case .sell:
            return OrderAmounts(makerAmount: try baseUnits(size, field: "maker amount"),
                                takerAmount: try baseUnits(notional, field: "taker amount"), price: price)
        }
    }

    /// Amounts of a market order (FOK/FAK at a worst acceptable price).
    ///
    /// Price is floored to the tick's price decimals (V2), amount floored to 2 decimals;
    /// BUY: `amount` is collateral to spend, maker = amount, taker = amount ÷ price;
    /// SELL: `amount` is shares, maker = amount, taker = amount × price.
    /// - Throws: ``Failure``.
    public static func market(side: Side, price priceText: String, amount amountText: String, tick: TickSize) throws(Failure) -> OrderAmounts {
        let precision = tick.precision
        let price = try checkRange(priceText, tick: tick).rounded(to: precision.price, .down)
        let amount = try parse(amountText, field: "amount", places: precision.size, .down)
        guard price.units > 0 else { throw .priceOutOfRange(price: priceText, tick: tick) }
        switch side {
        case .buy:
            let shares = try divideFixingAmount(amount, by: price, amountPlaces: precision.amount)
            return OrderAmounts(makerAmount: try baseUnits(amount, field: "maker amount"),
                                takerAmount: try baseUnits(shares, field: "taker amount"), price: price)
        case .sell:
            let collateral = fixAmount(multiply(amount, price), amountPlaces: precision.amount)
            return OrderAmounts(makerAmount: try baseUnits(amount, field: "maker amount"),
                                takerAmount: try baseUnits(collateral, field: "taker amount"), price: price)
        }
    }

    // MARK: - Steps

    /// `tick ≤ price ≤ 1 − tick`, on the price exactly as given (the official clients check
    /// before rounding); returns the exact price.
    /// - Throws: ``Failure/priceOutOfRange(price:tick:)`` or ``Failure/badNumber(field:reason:)``.
    public static func checkRange(_ priceText: String, tick: TickSize) throws(Failure) -> ExactDecimal {
        let exact: ExactDecimal
        do { exact = try ExactDecimal(priceText) } catch { throw .badNumber(field: "price", reason: error.description) }
        guard exact >= tick.value, exact <= tick.maxPrice else { throw .priceOutOfRange(price: priceText, tick: tick) }
        return exact
    }

    private static func parse(_ text: String, field: String, places: Int, _ rounding: ExactDecimal.Rounding) throws(Failure) -> ExactDecimal {
        do { return try ExactDecimal(text, places: places, rounding: rounding) } catch { throw .badNumber(field: field, reason: error.description) }
    }

    private static func multiply(_ lhs: ExactDecimal, _ rhs: ExactDecimal) -> ExactDecimal {
        ExactDecimal(units: lhs.units * rhs.units, scale: lhs.scale + rhs.scale)
    }

    /// The SDKs' `fix`: more than `amountPlaces` decimals → round up at `amountPlaces + 4`
    /// (which, on floats, absorbed noise like 5.7684000001); still more → round down.
    static func fixAmount(_ value: ExactDecimal, amountPlaces: Int) -> ExactDecimal {
        guard value.significantDecimalPlaces > amountPlaces else { return value }
        let up = value.rounded(to: amountPlaces + 4, .up)
        guard up.significantDecimalPlaces > amountPlaces else { return up }
        return up.rounded(to: amountPlaces, .down)
    }

    /// `fixAmount(numerator ÷ denominator)` without ever forming the inexact quotient: the
    /// round-up step is a ceiling division at `amountPlaces + 4` decimals.
    private static func divideFixingAmount(_ numerator: ExactDecimal, by denominator: ExactDecimal, amountPlaces: Int) throws(Failure) -> ExactDecimal {
        let places = amountPlaces + 4
        // n/10^a ÷ d/10^b at 10^places = n · 10^(b + places) / (d · 10^a)
        let (scaled, overflow) = numerator.units.multipliedReportingOverflow(by: UInt128(10).power(denominator.scale + places))
        guard !overflow else { throw .amountTooLarge(field: "taker amount") }
        let divisor = denominator.units * UInt128(10).power(numerator.scale)
        let (quotient, remainder) = scaled.quotientAndRemainder(dividingBy: divisor)
        let ceiling = ExactDecimal(units: remainder == 0 ? quotient : quotient + 1, scale: places)
        guard ceiling.significantDecimalPlaces > amountPlaces else { return ceiling }
        return ceiling.rounded(to: amountPlaces, .down)
    }

    private static func baseUnits(_ value: ExactDecimal, field: String) throws(Failure) -> UInt128 {
        // Every amount precision is at most 6 decimals, so this is exact.
        guard let units = value.units(atScale: 6),
              units <= UInt128(UInt64.max) else { throw .amountTooLarge(field: field) }
        return units
    }
}
