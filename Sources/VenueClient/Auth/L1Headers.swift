import PolypipeCore
/// L1 authentication headers: a ClobAuth EIP-712 signature proving control of the key, used to
/// create or derive API keys (spec §3.1).
public struct L1Headers: Sendable, Hashable {
    /// The signed message.
    public let message: ClobAuth
    /// The domain it was signed under.
    public let domain: EIP712Domain
    /// The EIP-712 digest that was signed.
    public let digest: [UInt8]
    /// `POLY_SIGNATURE`.
    public let signature: RecoverableSignature

    /// Signs a ClobAuth message for `key`.
    /// - Parameters:
    ///   - timestamp: unix seconds, signed as its decimal text.
    ///   - nonce: the API-key nonce (default 0); keys are deterministic per (address, nonce).
    /// - Throws: ``SigningError``.
    public init(key: PrivateKey, chain: Chain, timestamp: String, nonce: UInt256 = .zero) throws(SigningError) {
        let message = ClobAuth(address: key.address, timestamp: timestamp, nonce: nonce)
        let domain = ClobAuth.domain(chainID: chain.rawValue)
        let digest = EIP712.digest(domainSeparator: domain.separator, structHash: message.structHash)
        self.message = message
        self.domain = domain
        self.digest = digest
        self.signature = try Secp256k1.sign(digest: digest, with: key)
    }

    /// `POLY_ADDRESS`, `POLY_SIGNATURE`, `POLY_TIMESTAMP`, `POLY_NONCE`, in that order.
    public var headers: [(name: String, value: String)] {
        [
            ("POLY_ADDRESS", message.address.checksummed),
            ("POLY_SIGNATURE", signature.hex),
            ("POLY_TIMESTAMP", message.timestamp),
            ("POLY_NONCE", message.nonce.description),
        ]
    }
}
