/// A struct that can be signed as EIP-712 typed data.
///
/// A conforming type states its type string once (`encodeType`, with referenced types appended
/// in alphabetical order as EIP-712 requires) and encodes its fields as ABI words in declaration
/// order. Everything else — type hash, struct hash, digest — follows from those two.
public protocol EIP712Struct: Sendable {
    /// The EIP-712 `encodeType` string, e.g. `ClobAuth(address address,string timestamp,…)`.
    static var typeString: String { get }
    /// `keccak256(typeString)`; conformers cache it in a `static let`.
    static var typeHash: [UInt8] { get }
    /// `encodeData` without the leading type hash: one 32-byte word per field.
    func encodedFields() -> [UInt8]
}

extension EIP712Struct {
    /// `typeHash ‖ encodeData(fields)`, the exact bytes hashed for ``structHash``.
    public var encoded: [UInt8] { Self.typeHash + encodedFields() }

    /// `hashStruct(self)`.
    public var structHash: [UInt8] { Keccak256.hash(encoded) }
}

/// The EIP-712 envelope: digest = keccak256(0x19 ‖ 0x01 ‖ domainSeparator ‖ structHash).
public enum EIP712 {
    /// The 32 bytes that are actually signed.
    public static func digest(domainSeparator: [UInt8], structHash: [UInt8]) -> [UInt8] {
        withUnsafeTemporaryAllocation(byteCount: 2 + domainSeparator.count + structHash.count, alignment: 8) { buffer in
            buffer[0] = 0x19
            buffer[1] = 0x01
            var words = ABIWord.Writer(UnsafeMutableRawBufferPointer(rebasing: buffer[2...]))
            words.bytes(domainSeparator)
            words.bytes(structHash)
            return Keccak256.hash(UnsafeRawBufferPointer(buffer))
        }
    }
}
