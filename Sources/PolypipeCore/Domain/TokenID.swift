/// An outcome token id (an ERC-1155 `asset_id`, or a Protocol-V2 position id): a `uint256` the
/// venue always writes as decimal text.
///
/// The decimal form is computed once, when the id is made, because every order body repeats it
/// and a market's id is made once and used for many orders.
public struct TokenID: Sendable, Hashable, CustomStringConvertible {
    /// The number that is signed.
    public let value: UInt256
    /// Canonical decimal text (no leading zeros), as sent in JSON.
    public let description: String

    public init(_ value: UInt256) {
        self.value = value
        self.description = value.description
    }

    /// Parses decimal text (`"7132…2563"`).
    /// - Throws: ``UInt256/ParseError``.
    public init(decimal text: some StringProtocol) throws(UInt256.ParseError) {
        self.init(try UInt256(decimal: text))
    }

    public static func == (lhs: TokenID, rhs: TokenID) -> Bool { lhs.value == rhs.value }
    public func hash(into hasher: inout Hasher) { hasher.combine(value) }

    /// Whether this is a Protocol-V2 position id, traded through ExchangeV3 (spec §1.8, the
    /// official Python SDK's structural rule): bits 40 to 103 are all zero.
    public var isProtocolV2Position: Bool {
        // Limbs are most significant first: words.3 holds bits 0-63, words.2 bits 64-127.
        let lowMask: UInt64 = ~((1 << 40) - 1)       // bits 40-63 of words.3
        let highMask: UInt64 = (1 << 40) - 1         // bits 64-103 of words.2
        return value.words.3 & lowMask == 0 && value.words.2 & highMask == 0
    }
}
