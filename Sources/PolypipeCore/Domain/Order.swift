/// The CLOB V2 order exactly as signed: the 11-field struct shared by the V2 exchanges and
/// ExchangeV3 (spec §1.2, §1.3).
///
/// `expiration` is deliberately absent: since V2 it is not signed and travels only in the JSON
/// body (see ``SignedOrder``).
///
/// Units: `makerAmount`/`takerAmount` in 6-decimal base units; `timestamp` in milliseconds.
public struct Order: Sendable, Hashable {
    /// Random entropy; the official clients keep it below 2^53 because JSON carries it as a number.
    public var salt: UInt256
    /// The funder: the wallet that holds the collateral or shares.
    public var maker: EthereumAddress
    /// The address whose signature the exchange checks (the key for types 0–2, the deposit
    /// wallet for type 3).
    public var signer: EthereumAddress
    /// The ERC-1155 outcome token (or Protocol-V2 position) id.
    public var tokenID: TokenID
    public var makerAmount: UInt256
    public var takerAmount: UInt256
    public var side: Side
    public var signatureType: SignatureType
    /// Creation time in milliseconds (replaces the V1 nonce for uniqueness).
    public var timestamp: UInt256
    public var metadata: Bytes32
    public var builder: Bytes32

    public init(salt: UInt256, maker: EthereumAddress, signer: EthereumAddress, tokenID: TokenID,
                makerAmount: UInt256, takerAmount: UInt256, side: Side, signatureType: SignatureType,
                timestamp: UInt256, metadata: Bytes32 = .zero, builder: Bytes32 = .zero) {
        self.salt = salt
        self.maker = maker
        self.signer = signer
        self.tokenID = tokenID
        self.makerAmount = makerAmount
        self.takerAmount = takerAmount
        self.side = side
        self.signatureType = signatureType
        self.timestamp = timestamp
        self.metadata = metadata
        self.builder = builder
    }
}

extension Order {
    /// A fresh random salt below 2^53, the range the official clients use (the JSON body carries
    /// the salt as a number, which many JSON readers hold as a double).
    public static func randomSalt() -> UInt256 {
        UInt256(UInt64.random(in: 0..<(1 << 53)))
    }
}
