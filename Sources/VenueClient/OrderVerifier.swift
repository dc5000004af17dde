import PolypipeCore
/// Checks an order's signature the way the exchange contract does, and recovers who signed it
/// (spec §1.4). The venue simulator uses it on every order; exec-proc can use it to check what
/// it is about to send.
public enum OrderVerifier {
    /// The result of a successful check.
    public struct Verified: Sendable, Hashable {
        /// The order ID (EIP-712 digest).
        public let orderHash: [UInt8]
        /// The key that produced the signature: the signer itself for types 0–2, the deposit
        /// wallet's owner for POLY_1271.
        public let signingKey: EthereumAddress
    }

    /// Recovers the signing key of `order` signed for `exchange` on `chain`.
    ///
    /// Types 0–2: a 65-byte signature over the order digest; the recovered address must be
    /// `order.signer`. Type 3: the ERC-7739 envelope must name this exchange's domain, this
    /// order's struct hash and the Order type string, and its inner signature over the nested
    /// `TypedDataSign` digest yields the owner key (which the caller maps to the wallet).
    /// - Throws: ``SigningError/invalidSignature(reason:)`` saying what did not match.
    public static func verify(_ order: Order, signature: [UInt8], exchange: Exchange, chain: Chain) throws(SigningError) -> Verified {
        let separator = exchange.domain(on: chain).separator
        let structHash = order.structHash
        let digest = EIP712.digest(domainSeparator: separator, structHash: structHash)
        switch order.signatureType {
        case .eoa, .polyProxy, .polyGnosisSafe:
            let recovered = try Secp256k1.recoverAddress(signature: try RecoverableSignature(bytes: signature), digest: digest)
            guard recovered == order.signer else {
                throw .invalidSignature(reason: "signature recovers to \(recovered), not the order's signer \(order.signer)")
            }
            return Verified(orderHash: digest, signingKey: recovered)
        case .poly1271:
            let typeString = Array(Order.typeString.utf8)
            let expectedLength = 65 + 32 + 32 + typeString.count + 2
            guard signature.count == expectedLength else {
                throw .invalidSignature(reason: "a POLY_1271 signature is \(expectedLength) bytes, got \(signature.count)")
            }
            guard Array(signature[65..<97]) == separator else {
                throw .invalidSignature(reason: "the envelope names another exchange domain")
            }
            guard Array(signature[97..<129]) == structHash else {
                throw .invalidSignature(reason: "the envelope's contents hash is not this order's")
            }
            let lengthBytes = signature[(signature.count - 2)...]
            guard Array(signature[129..<(129 + typeString.count)]) == typeString,
                  Int(lengthBytes.first!) << 8 | Int(lengthBytes.last!) == typeString.count else {
                throw .invalidSignature(reason: "the envelope's contents type is not the V2 Order type")
            }
            let nested = TypedDataSign(contentsHash: structHash, chainID: chain.rawValue, wallet: order.signer)
            let nestedDigest = EIP712.digest(domainSeparator: separator, structHash: nested.structHash)
            let owner = try Secp256k1.recoverAddress(signature: try RecoverableSignature(bytes: Array(signature[0..<65])), digest: nestedDigest)
            return Verified(orderHash: digest, signingKey: owner)
        }
    }
}
