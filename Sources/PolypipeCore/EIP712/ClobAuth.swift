/// The L1 authentication message: proof of control of a wallet, signed to create or derive API
/// keys (spec §3.1). Domain `ClobAuthDomain` version `1`, no verifying contract.
public struct ClobAuth: EIP712Struct, Hashable {
    /// The fixed attestation text (exact, no trailing period).
    public static let attestation = "This message attests that I control the given wallet"

    public static let typeString = "ClobAuth(address address,string timestamp,uint256 nonce,string message)"
    public static let typeHash = Keccak256.hash(utf8: typeString)

    /// The signing EOA.
    public let address: EthereumAddress
    /// Unix seconds as decimal text: the message signs the *string*.
    public let timestamp: String
    public let nonce: UInt256
    public let message: String

    public init(address: EthereumAddress, timestamp: String, nonce: UInt256, message: String = ClobAuth.attestation) {
        self.address = address
        self.timestamp = timestamp
        self.nonce = nonce
        self.message = message
    }

    /// The domain for `chainID` (137 Polygon, 80002 Amoy).
    public static func domain(chainID: UInt64) -> EIP712Domain {
        EIP712Domain(name: "ClobAuthDomain", version: "1", chainID: chainID, verifyingContract: nil)
    }

    public func encodedFields() -> [UInt8] {
        ABIWord.address(address) + ABIWord.string(timestamp) + ABIWord.uint256(nonce) + ABIWord.string(message)
    }
}
