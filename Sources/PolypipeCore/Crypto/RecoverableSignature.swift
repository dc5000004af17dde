/// A 65-byte Ethereum signature `r(32) ‖ s(32) ‖ v(1)` with `v = 27 + recovery id`, as
/// ethers, viem and eth-account produce it (spec §1.4). Always low-s (libsecp256k1 normalizes).
///
/// Invariant: `bytes.count == 65` and `bytes[64]` is 27 or 28.
public struct RecoverableSignature: Sendable, Hashable, CustomStringConvertible {
    /// The 65 wire bytes.
    public let bytes: [UInt8]

    /// From its parts; `v` is 27 or 28.
    public init(r: [UInt8], s: [UInt8], v: UInt8) {
        precondition(r.count == 32 && s.count == 32 && (v == 27 || v == 28), "malformed signature parts")
        var bytes = r
        bytes.reserveCapacity(65)
        bytes.append(contentsOf: s)
        bytes.append(v)
        self.bytes = bytes
    }

    /// From 64 compact bytes `r ‖ s` and a recovery id (0 or 1), as libsecp256k1 serializes.
    init(compact: [UInt8], recoveryID: Int32) {
        var bytes = compact
        bytes.append(UInt8(27 + recoveryID))
        self.bytes = bytes
    }

    /// Parses 65 bytes `r ‖ s ‖ v`; v may be 27/28 or the bare recovery id 0/1.
    public init(bytes: [UInt8]) throws(SigningError) {
        guard bytes.count == 65 else { throw .invalidSignature(reason: "expected 65 bytes, got \(bytes.count)") }
        let v = bytes[64] < 27 ? bytes[64] + 27 : bytes[64]
        guard v == 27 || v == 28 else { throw .invalidSignature(reason: "v must be 27 or 28, got \(bytes[64])") }
        var normalized = bytes
        normalized[64] = v
        self.bytes = normalized
    }

    /// The 32-byte `r`.
    public var r: [UInt8] { Array(bytes[0..<32]) }
    /// The 32-byte `s` (low half of the curve order).
    public var s: [UInt8] { Array(bytes[32..<64]) }
    /// 27 or 28.
    public var v: UInt8 { bytes[64] }

    /// `0x` + 130 lowercase hex digits.
    public var hex: String { Hex.encode(bytes) }

    public var description: String { hex }
}
