/// Compact JSON text, byte-compatible with Python's
/// `json.dumps(value, separators=(",", ":"), ensure_ascii=False)`, which is what the official
/// client sends and HMACs: no spaces, non-ASCII written as UTF-8, and only `"`, `\`, and control
/// characters escaped.
public struct JSONWriter {
    /// The UTF-8 bytes written so far.
    public private(set) var bytes: [UInt8] = []

    public init(reservingCapacity capacity: Int = 256) { bytes.reserveCapacity(capacity) }

    /// The text written so far.
    public var text: String { String(decoding: bytes, as: UTF8.self) }

    /// Appends raw, already-valid JSON (a literal, a number, punctuation).
    public mutating func raw(_ text: StaticString) {
        text.withUTF8Buffer { bytes.append(contentsOf: $0) }
    }

    /// Appends raw text the caller guarantees is valid JSON at this position.
    public mutating func raw(_ text: String) { bytes.append(contentsOf: text.utf8) }

    /// Appends `text` as a quoted, escaped JSON string.
    public mutating func string(_ text: String) {
        bytes.append(0x22)
        // Fast path: nothing to escape (ids, hex, decimal strings) → one bulk copy.
        var text = text
        let plain: Bool = text.withUTF8 { utf8 in
            for byte in utf8 where byte < 0x20 || byte == 0x22 || byte == 0x5C { return false }
            bytes.append(contentsOf: utf8)
            return true
        }
        if plain {
            bytes.append(0x22)
            return
        }
        for byte in text.utf8 {
            switch byte {
            case 0x22: bytes.append(0x5C); bytes.append(0x22)
            case 0x5C: bytes.append(0x5C); bytes.append(0x5C)
            case 0x0A: bytes.append(0x5C); bytes.append(UInt8(ascii: "n"))
            case 0x0D: bytes.append(0x5C); bytes.append(UInt8(ascii: "r"))
            case 0x09: bytes.append(0x5C); bytes.append(UInt8(ascii: "t"))
            case 0x08: bytes.append(0x5C); bytes.append(UInt8(ascii: "b"))
            case 0x0C: bytes.append(0x5C); bytes.append(UInt8(ascii: "f"))
            case 0x00..<0x20:
                bytes.append(contentsOf: Array("\\u00".utf8))
                bytes.append(Array("0123456789abcdef".utf8)[Int(byte >> 4)])
                bytes.append(Array("0123456789abcdef".utf8)[Int(byte & 0x0F)])
            default: bytes.append(byte)
            }
        }
        bytes.append(0x22)
    }

    /// Appends `text` quoted, without escaping: only for text the caller has validated to need
    /// none (decimal digits, hex, enum names), which is every field of an order but `owner`.
    public mutating func plainString(_ text: String) {
        bytes.append(0x22)
        bytes.append(contentsOf: text.utf8)
        bytes.append(0x22)
    }

    /// Appends `bytes` as a quoted `0x`-prefixed lowercase hex string.
    public mutating func hexString(_ value: [UInt8]) {
        bytes.append(0x22)
        bytes.append(0x30)
        bytes.append(0x78)
        Hex.append(value, to: &bytes)
        bytes.append(0x22)
    }

    /// Appends `"key":` for the next object member.
    public mutating func key(_ key: String) {
        string(key)
        bytes.append(UInt8(ascii: ":"))
    }

    /// Appends any ``JSONValue``; numbers keep their literal text.
    public mutating func value(_ value: JSONValue) {
        switch value {
        case .null: raw("null")
        case .bool(let flag): raw(flag ? "true" : "false")
        case .number(let literal): raw(literal)
        case .string(let text): string(text)
        case .array(let values):
            bytes.append(UInt8(ascii: "["))
            for (index, element) in values.enumerated() {
                if index > 0 { bytes.append(UInt8(ascii: ",")) }
                self.value(element)
            }
            bytes.append(UInt8(ascii: "]"))
        case .object(let members):
            bytes.append(UInt8(ascii: "{"))
            for (index, member) in members.enumerated() {
                if index > 0 { bytes.append(UInt8(ascii: ",")) }
                key(member.key)
                self.value(member.value)
            }
            bytes.append(UInt8(ascii: "}"))
        }
    }

    /// Compact text of `value`.
    public static func serialize(_ value: JSONValue) -> String {
        var writer = JSONWriter()
        writer.value(value)
        return writer.text
    }
}
