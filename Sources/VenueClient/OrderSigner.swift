import PolypipeCore
/// Signs V2/V3 orders with one key on one chain.
///
/// Domain separators of the three exchanges are computed once at init, so a signature costs two
/// Keccak-256 calls (struct hash, digest) and one ECDSA sign — three for POLY_1271.
///
/// - Important: the signing scope is checked before anything is signed (test matrix KEY-10):
///   for signature types 0–2 the order's `signer` must be this key's address; for type 3 the
///   signer must be the maker (the deposit wallet the key owns).
public struct OrderSigner: Sendable {
    public let key: PrivateKey
    public let chain: Chain
    private let ctfV2Separator: [UInt8]
    private let negRiskV2Separator: [UInt8]
    private let v3Separator: [UInt8]

    public init(key: PrivateKey, chain: Chain) {
        self.key = key
        self.chain = chain
        ctfV2Separator = Exchange.ctfV2.domain(on: chain).separator
        negRiskV2Separator = Exchange.negRiskV2.domain(on: chain).separator
        v3Separator = Exchange.v3.domain(on: chain).separator
    }

    /// The domain separator of `exchange` on this signer's chain.
    public func domainSeparator(_ exchange: Exchange) -> [UInt8] {
        switch exchange {
        case .ctfV2: return ctfV2Separator
        case .negRiskV2: return negRiskV2Separator
        case .v3: return v3Separator
        }
    }

    /// Signs `order` for `exchange`.
    /// - Parameter expiration: unix seconds (GTD) or 0; carried along, not signed.
    /// - Throws: ``SigningError``, including a signer that this key may not sign for.
    public func sign(_ order: Order, for exchange: Exchange, expiration: UInt64 = 0) throws(SigningError) -> SignedOrder {
        switch order.signatureType {
        case .eoa, .polyProxy, .polyGnosisSafe:
            guard order.signer == key.address else {
                throw .invalidSignature(reason: "order signer \(order.signer) is not this key's address \(key.address)")
            }
        case .poly1271:
            guard order.signer == order.maker else {
                throw .invalidSignature(reason: "a POLY_1271 order's signer (\(order.signer)) must be its maker, the deposit wallet (\(order.maker))")
            }
        }
        let separator = domainSeparator(exchange)
        let structHash = order.structHash
        let digest = EIP712.digest(domainSeparator: separator, structHash: structHash)
        let signature: [UInt8]
        if order.signatureType == .poly1271 {
            let nested = TypedDataSign(contentsHash: structHash, chainID: chain.rawValue, wallet: order.signer)
            let nestedDigest = EIP712.digest(domainSeparator: separator, structHash: nested.structHash)
            let inner = try Secp256k1.sign(digest: nestedDigest, with: key)
            signature = TypedDataSign.wrap(innerSignature: inner, appDomainSeparator: separator, contentsHash: structHash)
        } else {
            signature = try Secp256k1.sign(digest: digest, with: key).bytes
        }
        return SignedOrder(order: order, expiration: expiration, exchange: exchange, domainSeparator: separator,
                           structHash: structHash, orderHash: digest, signature: signature)
    }
}
