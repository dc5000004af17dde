import PolypipeCore
/// An order with its signature, ready to post: the signed struct plus what travels beside it.
public struct SignedOrder: Sendable, Hashable {
    /// The signed 11-field struct.
    public let order: Order
    /// Unix seconds after which a GTD order expires; 0 = never. Not signed (V2), sent in the body.
    public let expiration: UInt64
    /// The exchange whose domain the order was signed for.
    public let exchange: Exchange
    /// The exchange's domain separator on the chain.
    public let domainSeparator: [UInt8]
    /// `hashStruct(order)`.
    public let structHash: [UInt8]
    /// The EIP-712 digest, which is also the venue's order ID (spec §1.5): known before posting,
    /// so a timed-out submit can be looked up by it.
    public let orderHash: [UInt8]
    /// The signature bytes posted: 65 bytes, or the ERC-7739 envelope for POLY_1271.
    public let signature: [UInt8]

    public init(order: Order, expiration: UInt64, exchange: Exchange, domainSeparator: [UInt8], structHash: [UInt8],
                orderHash: [UInt8], signature: [UInt8]) {
        self.order = order
        self.expiration = expiration
        self.exchange = exchange
        self.domainSeparator = domainSeparator
        self.structHash = structHash
        self.orderHash = orderHash
        self.signature = signature
    }

    /// `0x` + 64 hex digits.
    public var orderID: String { Hex.encode(orderHash) }
}
