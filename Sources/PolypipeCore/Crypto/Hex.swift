/// Hexadecimal text ⇄ bytes, the way Ethereum tooling writes them: `0x`-prefixed, lowercase on
/// output, either case accepted on input.
public enum Hex {
    /// Why a hex string was refused.
    public enum DecodingError: Error, Equatable, CustomStringConvertible {
        case oddLength(Int)
        case invalidCharacter(Character, offset: Int)

        public var description: String {
            switch self {
            case .oddLength(let count): return "hex text has an odd number of digits (\(count))"
            case .invalidCharacter(let char, let offset): return "'\(char)' at offset \(offset) is not a hex digit"
            }
        }
    }

    private static let digits: [UInt8] = Array("0123456789abcdef".utf8)

    /// Lowercase hex of `bytes`, with the `0x` prefix unless `prefix` is false.
    public static func encode<Bytes: Sequence>(_ bytes: Bytes, prefix: Bool = true) -> String where Bytes.Element == UInt8 {
        var out: [UInt8] = prefix ? [0x30, 0x78] : []
        out.reserveCapacity(out.count + bytes.underestimatedCount * 2)
        for byte in bytes {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Appends the lowercase hex digits of `bytes` (no prefix) to a UTF-8 buffer.
    public static func append(_ bytes: [UInt8], to buffer: inout [UInt8]) {
        let start = buffer.count
        buffer.append(contentsOf: repeatElement(0, count: bytes.count * 2))
        digits.withUnsafeBufferPointer { table in
            buffer.withUnsafeMutableBufferPointer { out in
                var index = start
                for byte in bytes {
                    out[index] = table[Int(byte >> 4)]
                    out[index + 1] = table[Int(byte & 0x0F)]
                    index += 2
                }
            }
        }
    }

    /// Bytes of `text`; a leading `0x`/`0X` is optional.
    /// - Throws: ``DecodingError`` naming the first bad character or an odd digit count.
    public static func decode(_ text: some StringProtocol) throws(DecodingError) -> [UInt8] {
        var utf8 = Array(text.utf8)
        if utf8.count >= 2, utf8[0] == 0x30, utf8[1] == 0x78 || utf8[1] == 0x58 { utf8.removeFirst(2) }
        guard utf8.count % 2 == 0 else { throw .oddLength(utf8.count) }
        var out = [UInt8]()
        out.reserveCapacity(utf8.count / 2)
        var index = 0
        while index < utf8.count {
            guard let high = nibble(utf8[index]) else {
                throw .invalidCharacter(Character(Unicode.Scalar(utf8[index])), offset: index)
            }
            guard let low = nibble(utf8[index + 1]) else {
                throw .invalidCharacter(Character(Unicode.Scalar(utf8[index + 1])), offset: index + 1)
            }
            out.append(high << 4 | low)
            index += 2
        }
        return out
    }

    @inline(__always)
    static func nibble(_ char: UInt8) -> UInt8? {
        switch char {
        case 0x30...0x39: return char - 0x30
        case 0x61...0x66: return char - 0x61 + 10
        case 0x41...0x46: return char - 0x41 + 10
        default: return nil
        }
    }
}
