/// An unsigned 256-bit integer, as EIP-712 encodes `uint256` (token ids, salts, amounts,
/// timestamps). Only what signing needs: parse from and print to decimal, and the 32-byte
/// big-endian ABI word.
///
/// Invariant: `words` holds four 64-bit limbs, most significant first.
public struct UInt256: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// Four limbs, most significant first.
    public private(set) var words: (UInt64, UInt64, UInt64, UInt64)

    /// Why a decimal text is not a `uint256`.
    public enum ParseError: Error, Equatable, CustomStringConvertible {
        case empty
        case notADigit(Character)
        case overflow

        public var description: String {
            switch self {
            case .empty: return "empty number"
            case .notADigit(let char): return "'\(char)' is not a decimal digit"
            case .overflow: return "number does not fit in 256 bits"
            }
        }
    }

    public static let zero = UInt256(UInt64(0))

    public init(_ value: UInt64) { words = (0, 0, 0, value) }

    /// From four limbs, most significant first.
    public static func fromWords(_ words: (UInt64, UInt64, UInt64, UInt64)) -> UInt256 {
        var value = UInt256(UInt64(0))
        value.words = words
        return value
    }

    public init(_ value: UInt128) {
        words = (0, 0, UInt64(truncatingIfNeeded: value >> 64), UInt64(truncatingIfNeeded: value))
    }

    /// Parses a non-negative decimal integer with no sign, no separators and no exponent.
    public init(decimal text: some StringProtocol) throws(ParseError) {
        guard !text.isEmpty else { throw .empty }
        var limbs: [UInt64] = [0, 0, 0, 0]  // least significant first while parsing
        for char in text.utf8 {
            guard char >= 0x30, char <= 0x39 else { throw .notADigit(Character(Unicode.Scalar(char))) }
            var carry = UInt64(char - 0x30)
            for index in 0..<4 {
                let (high, low) = limbs[index].multipliedFullWidth(by: 10)
                let (sum, overflow) = low.addingReportingOverflow(carry)
                limbs[index] = sum
                carry = high + (overflow ? 1 : 0)
            }
            guard carry == 0 else { throw .overflow }
        }
        words = (limbs[3], limbs[2], limbs[1], limbs[0])
    }

    /// The 32-byte big-endian encoding (an ABI `uint256` word).
    public var bigEndianBytes: [UInt8] {
        var out = [UInt8]()
        out.reserveCapacity(32)
        for limb in [words.0, words.1, words.2, words.3] {
            for shift in stride(from: 56, through: 0, by: -8) { out.append(UInt8(truncatingIfNeeded: limb >> UInt64(shift))) }
        }
        return out
    }

    /// The value if it fits in 64 bits.
    public var uint64Value: UInt64? { words.0 == 0 && words.1 == 0 && words.2 == 0 ? words.3 : nil }

    /// Decimal digits, no leading zeros ("0" for zero).
    public var description: String {
        if let small = uint64Value { return String(small) }
        // Repeatedly divide by 10^19 (the largest power of ten in a limb), emitting 19 digits per
        // step into a buffer from the right. At most 78 significant digits, but each step writes
        // a full 19 (leading zeros included), so five steps need 95 bytes.
        var limbs = words
        return String(unsafeUninitializedCapacity: 95) { buffer in
            var position = 95
            let chunk: UInt64 = 10_000_000_000_000_000_000
            while limbs != (0, 0, 0, 0) {
                var remainder: UInt64 = 0
                (limbs.0, remainder) = chunk.dividingFullWidth((remainder, limbs.0))
                (limbs.1, remainder) = chunk.dividingFullWidth((remainder, limbs.1))
                (limbs.2, remainder) = chunk.dividingFullWidth((remainder, limbs.2))
                (limbs.3, remainder) = chunk.dividingFullWidth((remainder, limbs.3))
                for _ in 0..<19 {
                    position -= 1
                    buffer[position] = UInt8(truncatingIfNeeded: remainder % 10) + 0x30
                    remainder /= 10
                }
            }
            while position < 94, buffer[position] == 0x30 { position += 1 }
            let count = 95 - position
            for index in 0..<count { buffer[index] = buffer[position + index] }
            return count
        }
    }

    public static func == (lhs: UInt256, rhs: UInt256) -> Bool {
        lhs.words == rhs.words
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(words.0); hasher.combine(words.1); hasher.combine(words.2); hasher.combine(words.3)
    }

    public static func < (lhs: UInt256, rhs: UInt256) -> Bool {
        (lhs.words.0, lhs.words.1, lhs.words.2, lhs.words.3) < (rhs.words.0, rhs.words.1, rhs.words.2, rhs.words.3)
    }
}
