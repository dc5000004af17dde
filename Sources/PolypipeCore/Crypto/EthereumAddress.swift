/// A 20-byte Ethereum account address.
///
/// Prints in EIP-55 mixed-case checksum form, which is how the official clients send `maker`,
/// `signer` and `POLY_ADDRESS`. Compares by bytes, so case never matters for equality.
public struct EthereumAddress: Sendable, Hashable, CustomStringConvertible {
    /// The 20 address bytes.
    public let bytes: [UInt8]
    /// The text as it was supplied (a JSON body repeats a caller's address verbatim, as the
    /// official client does), or the EIP-55 form for an address built from bytes.
    public let text: String

    /// Why address text was refused.
    public enum ParseError: Error, Equatable, CustomStringConvertible {
        case malformed(String)
        case badChecksum(String)

        public var description: String {
            switch self {
            case .malformed(let text): return "\"\(text)\" is not a 20-byte hex address"
            case .badChecksum(let text): return "\(text) fails its EIP-55 checksum (a mistyped address?)"
            }
        }
    }

    public static let zero = EthereumAddress(unchecked: [UInt8](repeating: 0, count: 20))

    init(unchecked bytes: [UInt8]) {
        self.bytes = bytes
        self.text = EthereumAddress.checksum(bytes)
    }

    /// Parses `0x` + 40 hex digits. All-lowercase or all-uppercase text is accepted as is;
    /// mixed-case text must carry a valid EIP-55 checksum, so a typo in a funder address is
    /// caught before anything is signed for it.
    public init(_ text: some StringProtocol) throws(ParseError) {
        let string = String(text)
        guard string.hasPrefix("0x") || string.hasPrefix("0X"), string.utf8.count == 42,
              let decoded = try? Hex.decode(string) else { throw .malformed(string) }
        self.bytes = decoded
        self.text = string
        let body = string.dropFirst(2)
        let hasLower = body.contains { $0.isLowercase }
        let hasUpper = body.contains { $0.isUppercase }
        if hasLower && hasUpper && String(EthereumAddress.checksum(decoded).dropFirst(2)) != String(body) {
            throw .badChecksum(string)
        }
    }

    /// The address of an uncompressed public key given as its 64 bytes `x ‖ y`.
    public init(publicKey xy: [UInt8]) {
        precondition(xy.count == 64, "public key must be 64 bytes")
        self.init(unchecked: Array(Keccak256.hash(xy)[12...]))
    }

    /// `0x` + 40 lowercase hex digits.
    public var lowercased: String { Hex.encode(bytes) }

    /// EIP-55: a hex letter is upper-case when the matching nibble of
    /// keccak256(lowercase hex text) is 8 or more.
    public var checksummed: String { EthereumAddress.checksum(bytes) }

    private static func checksum(_ bytes: [UInt8]) -> String {
        let lower = Array(Hex.encode(bytes, prefix: false).utf8)
        let hash = Keccak256.hash(lower)
        var out: [UInt8] = [0x30, 0x78]
        for (index, char) in lower.enumerated() {
            let nibble = index % 2 == 0 ? hash[index / 2] >> 4 : hash[index / 2] & 0x0F
            out.append(char >= 0x61 && nibble >= 8 ? char - 0x20 : char)
        }
        return String(decoding: out, as: UTF8.self)
    }

    public var description: String { checksummed }

    public static func == (lhs: EthereumAddress, rhs: EthereumAddress) -> Bool { lhs.bytes == rhs.bytes }
    public func hash(into hasher: inout Hasher) { hasher.combine(bytes) }
}
