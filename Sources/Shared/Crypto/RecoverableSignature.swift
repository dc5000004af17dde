/// A 65-byte Ethereum signature `r(32) ‖ s(32) ‖ v(1)` with `v = 27 + recovery id`, as
/// ethers, viem and eth-account produce it (spec §1.4). Always low-s (libsecp256k1 normalizes).
public struct RecoverableSignature: Sendable, Hashable, CustomStringConvertible {
    /// The 32-byte `r`.
    public let r: [UInt8]
    /// The 32-byte `s` (low half of the curve order).
    public let s: [UInt8]
    /// 27 or 28.
    public let v: UInt8

    public init(r: [UInt8], s: [UInt8], v: UInt8) {
        self.r = r
        self.s = s
        self.v = v
    }

    /// Parses 65 bytes `r ‖ s ‖ v`; v may be 27/28 or the bare recovery id 0/1.
    public init(bytes: [UInt8]) throws(SigningError) {
        guard bytes.count == 65 else { throw .invalidSignature(reason: "expected 65 bytes, got \(bytes.count)") }
        let v = bytes[64] < 27 ? bytes[64] + 27 : bytes[64]
        guard v == 27 || v == 28 else { throw .invalidSignature(reason: "v must be 27 or 28, got \(bytes[64])") }
        self.init(r: Array(bytes[0..<32]), s: Array(bytes[32..<64]), v: v)
    }

    /// The 65 wire bytes.
    public var bytes: [UInt8] {
        var out = [UInt8]()
        out.reserveCapacity(65)
        out.append(contentsOf: r)
        out.append(contentsOf: s)
        out.append(v)
        return out
    }

    /// `0x` + 130 lowercase hex digits.
    public var hex: String { Hex.encode(bytes) }

    public var description: String { hex }
}
