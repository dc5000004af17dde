/// An exact, non-negative decimal number: `units / 10^scale`.
///
/// Prices, sizes and amounts enter the system as decimal *text* (JSON strings, CLI input) and
/// are turned into integers without ever passing through binary floating point. That is what
/// makes `0.29` shares stay `0.29` (the official Python client computes `0.28`: see the vectors'
/// `float_quirk` notes and spec §2.1).
///
/// Invariant: `scale >= 0`; `units` fits in 128 bits (parsing refuses more than 38 digits).
public struct ExactDecimal: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// The integer numerator.
    public let units: UInt128
    /// Decimal places: the value is `units / 10^scale`.
    public let scale: Int

    /// How digits beyond the kept places are treated.
    public enum Rounding: Sendable {
        /// Toward zero (floor, for non-negative values).
        case down
        /// Away from zero (ceiling).
        case up
        /// To nearest; an exact half goes to the even neighbour (Python's `round`).
        case halfEven
    }

    /// Why a decimal text was refused.
    public enum ParseError: Error, Equatable, CustomStringConvertible {
        case empty
        case negative(String)
        case malformed(String)
        case tooManyDigits(String)

        public var description: String {
            switch self {
            case .empty: return "empty number"
            case .negative(let text): return "\(text) is negative"
            case .malformed(let text): return "\"\(text)\" is not a decimal number"
            case .tooManyDigits(let text): return "\(text) has too many digits"
            }
        }
    }

    public init(units: UInt128, scale: Int) {
        precondition(scale >= 0 && scale <= 38, "scale out of range")
        self.units = units
        self.scale = scale
    }

    /// Parses `text` keeping every digit it has (the scale is the number of fraction digits
    /// after applying any exponent).
    public init(_ text: some StringProtocol) throws(ParseError) {
        let parsed = try ExactDecimal.split(String(text))
        try self.init(digits: parsed.digits, pointAt: parsed.point, places: max(0, parsed.digits.count - parsed.point), rounding: .down, text: String(text))
    }

    /// Parses `text` and rounds it to `places` decimals.
    ///
    /// Rounding works on the decimal digits themselves, so any number of input digits is exact.
    public init(_ text: some StringProtocol, places: Int, rounding: Rounding) throws(ParseError) {
        let parsed = try ExactDecimal.split(String(text))
        try self.init(digits: parsed.digits, pointAt: parsed.point, places: places, rounding: rounding, text: String(text))
    }

    private init(digits: [UInt8], pointAt point: Int, places: Int, rounding: Rounding, text: String) throws(ParseError) {
        // digits[0..<point] is the integer part (point may be <= 0 or > count: implied zeros).
        guard places >= 0, places <= 38 else { throw .tooManyDigits(text) }
        let keptCount = point + places
        var kept: UInt128 = 0
        var keptDigits = 0
        if keptCount > 0 {
            for index in 0..<keptCount {
                let digit = index < digits.count ? digits[index] : 0
                if keptDigits > 0 || digit != 0 { keptDigits += 1 }
                guard keptDigits <= 38 else { throw .tooManyDigits(text) }
                kept = kept * 10 + UInt128(digit)
            }
        }
        let restStart = max(0, keptCount)
        let rest = restStart < digits.count ? digits[restStart...] : []
        // Digits dropped before the first kept position (keptCount < 0) are all "rest" too,
        // preceded by -keptCount implied zeros: the first dropped digit is then 0.
        let leadingZeros = keptCount < 0 ? -keptCount : 0
        let anyNonZero = rest.contains { $0 != 0 }
        var roundUp = false
        switch rounding {
        case .down:
            roundUp = false
        case .up:
            roundUp = anyNonZero
        case .halfEven:
            let first: UInt8 = leadingZeros > 0 ? 0 : (rest.first ?? 0)
            let afterFirst = leadingZeros > 0 ? anyNonZero : rest.dropFirst().contains { $0 != 0 }
            if first > 5 || (first == 5 && afterFirst) {
                roundUp = true
            } else if first == 5 {
                roundUp = kept % 2 == 1
            }
        }
        if roundUp {
            guard kept < UInt128(10).power(38) else { throw .tooManyDigits(text) }
            kept += 1
        }
        self.init(units: kept, scale: places)
    }

    /// Splits decimal text into its digits and the position of the decimal point within them.
    private static func split(_ text: String) throws(ParseError) -> (digits: [UInt8], point: Int) {
        var text = text
        let result: Result<(digits: [UInt8], point: Int), ParseError> = text.withUTF8 { utf8 in
            var index = 0
            let count = utf8.count
            guard count > 0 else { return .failure(.empty) }
            if utf8[0] == UInt8(ascii: "+") {
                index = 1
            } else if utf8[0] == UInt8(ascii: "-") {
                // "-0", "-0.0" are zero and harmless; any other negative is refused.
                let rest = utf8[1...]
                guard !rest.isEmpty, rest.allSatisfy({ $0 == UInt8(ascii: "0") || $0 == UInt8(ascii: ".") }) else {
                    return .failure(.negative(String(decoding: utf8, as: UTF8.self)))
                }
                index = 1
            }
            var digits: [UInt8] = []
            digits.reserveCapacity(count)
            var point: Int?
            var leading = true  // still in leading zeros of the integer part
            while index < count {
                let byte = utf8[index]
                if byte >= 0x30 && byte <= 0x39 {
                    if leading && point == nil && byte == 0x30 {
                        index += 1
                        continue
                    }
                    leading = false
                    digits.append(byte - 0x30)
                } else if byte == UInt8(ascii: ".") {
                    guard point == nil else { return .failure(.malformed(String(decoding: utf8, as: UTF8.self))) }
                    point = digits.count
                } else {
                    break
                }
                index += 1
            }
            let sawDigit = !digits.isEmpty || utf8[..<index].contains(0x30)
            guard sawDigit else { return .failure(.malformed(String(decoding: utf8, as: UTF8.self))) }
            var exponent = 0
            if index < count {
                guard utf8[index] == UInt8(ascii: "e") || utf8[index] == UInt8(ascii: "E") else {
                    return .failure(.malformed(String(decoding: utf8, as: UTF8.self)))
                }
                index += 1
                var negative = false
                if index < count, utf8[index] == UInt8(ascii: "-") || utf8[index] == UInt8(ascii: "+") {
                    negative = utf8[index] == UInt8(ascii: "-")
                    index += 1
                }
                let expDigits = utf8[index...]
                guard !expDigits.isEmpty, expDigits.count <= 4, expDigits.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else {
                    return .failure(.malformed(String(decoding: utf8, as: UTF8.self)))
                }
                exponent = expDigits.reduce(0) { $0 * 10 + Int($1 - 0x30) } * (negative ? -1 : 1)
            }
            return .success((digits, (point ?? digits.count) + exponent))
        }
        return try result.get()
    }

    /// The same value with `places` decimals, rounded as asked.
    public func rounded(to places: Int, _ rounding: Rounding) -> ExactDecimal {
        if places >= scale {
            return ExactDecimal(units: units * UInt128(10).power(places - scale), scale: places)
        }
        let divisor = UInt128(10).power(scale - places)
        let (quotient, remainder) = units.quotientAndRemainder(dividingBy: divisor)
        var result = quotient
        switch rounding {
        case .down: break
        case .up: if remainder != 0 { result += 1 }
        case .halfEven:
            let twice = remainder * 2
            if twice > divisor || (twice == divisor && quotient % 2 == 1) { result += 1 }
        }
        return ExactDecimal(units: result, scale: places)
    }

    /// `units` expressed at `scale` decimals, if that is exact and fits.
    public func units(atScale target: Int) -> UInt128? {
        if target >= scale {
            let (value, overflow) = units.multipliedReportingOverflow(by: UInt128(10).power(target - scale))
            return overflow ? nil : value
        }
        let (quotient, remainder) = units.quotientAndRemainder(dividingBy: UInt128(10).power(scale - target))
        return remainder == 0 ? quotient : nil
    }

    /// Number of fraction digits once trailing zeros are removed.
    public var significantDecimalPlaces: Int {
        var value = units
        var places = scale
        while places > 0, value % 10 == 0 { value /= 10; places -= 1 }
        return places
    }

    public static func < (lhs: ExactDecimal, rhs: ExactDecimal) -> Bool {
        let scale = max(lhs.scale, rhs.scale)
        guard let left = lhs.units(atScale: scale) else { return false }
        guard let right = rhs.units(atScale: scale) else { return true }
        return left < right
    }

    public static func == (lhs: ExactDecimal, rhs: ExactDecimal) -> Bool {
        !(lhs < rhs) && !(rhs < lhs)
    }

    public func hash(into hasher: inout Hasher) {
        let trimmed = rounded(to: significantDecimalPlaces, .down)
        hasher.combine(trimmed.units)
        hasher.combine(trimmed.scale)
    }

    /// Plain decimal text with exactly `scale` fraction digits ("0.50", "12", "0.0001").
    public var description: String {
        let digits = String(units)
        guard scale > 0 else { return digits }
        let padded = String(repeating: "0", count: max(0, scale + 1 - digits.count)) + digits
        let cut = padded.index(padded.endIndex, offsetBy: -scale)
        return padded[..<cut] + "." + padded[cut...]
    }

    /// Shortest plain text with at least one fraction digit ("0.5", "12.0", "0.0001"), the way
    /// Python prints a float of the same value.
    public var shortDescription: String {
        let trimmed = rounded(to: max(1, significantDecimalPlaces), .down)
        return trimmed.description.contains(".") ? trimmed.description : trimmed.description + ".0"
    }
}

extension UInt128 {
    /// `self` raised to `exponent` (small exponents only; traps on overflow). Powers of ten,
    /// the only ones used, come from a table.
    func power(_ exponent: Int) -> UInt128 {
        if self == 10, exponent >= 0, exponent < UInt128.powersOfTen.count { return UInt128.powersOfTen[exponent] }
        var result: UInt128 = 1
        for _ in 0..<exponent { result *= self }
        return result
    }

    /// 10^0 … 10^38.
    static let powersOfTen: [UInt128] = {
        var table: [UInt128] = [1]
        for _ in 1...38 { table.append(table[table.count - 1] * 10) }
        return table
    }()
}
