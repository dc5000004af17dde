/// A `bytes32` order field (`metadata`, `builder`): the 32 bytes that are signed, plus the text
/// that travels in the JSON body.
///
/// The official clients sign the value left-zero-padded to 32 bytes but send the text exactly as
/// given (upper-case hex stays upper-case), so both are kept. Equality is on the bytes.
public struct Bytes32: Sendable, Hashable, CustomStringConvertible {
    /// The 32 signed bytes.
    public let bytes: [UInt8]
    /// The JSON text, verbatim as supplied (or canonical lowercase when built from bytes).
    public let text: String

    public static let zero = Bytes32(bytes: [UInt8](repeating: 0, count: 32))

    /// Why text is not a `bytes32`.
    public enum ParseError: Error, Equatable, CustomStringConvertible {
        case malformed(String)
        public var description: String { "\"\(text)\" is not a hex bytes32 (0x + up to 64 hex digits)" }
        private var text: String { if case .malformed(let text) = self { return text }; return "" }
    }

    /// From 32 bytes; the text is `0x` + 64 lowercase hex digits.
    public init(bytes: [UInt8]) {
        precondition(bytes.count == 32, "bytes32 needs 32 bytes")
        self.bytes = bytes
        self.text = Hex.encode(bytes)
    }

    /// From hex text: `0x` optional, at most 64 digits, left-padded with zeros ("" is zero).
    public init(_ text: String) throws(ParseError) {
        var digits = Substring(text)
        if digits.hasPrefix("0x") || digits.hasPrefix("0X") { digits = digits.dropFirst(2) }
        guard digits.utf8.count <= 64 else { throw .malformed(text) }
        let padded = String(repeating: "0", count: 64 - digits.utf8.count) + digits
        guard let decoded = try? Hex.decode(padded) else { throw .malformed(text) }
        self.bytes = decoded
        self.text = text
    }

    public static func == (lhs: Bytes32, rhs: Bytes32) -> Bool { lhs.bytes == rhs.bytes }
    public func hash(into hasher: inout Hasher) { hasher.combine(bytes) }
    public var description: String { Hex.encode(bytes) }
}
