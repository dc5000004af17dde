/// An EIP-712 domain: who the signature is for. Polymarket uses two shapes (spec §1.1, §3.1):
/// exchanges sign with `name, version, chainId, verifyingContract`; ClobAuth omits the contract.
public struct EIP712Domain: Sendable, Hashable {
    public let name: String
    public let version: String
    public let chainID: UInt64
    /// `nil` for a domain without a `verifyingContract` field (ClobAuth).
    public let verifyingContract: EthereumAddress?

    public init(name: String, version: String, chainID: UInt64, verifyingContract: EthereumAddress?) {
        self.name = name
        self.version = version
        self.chainID = chainID
        self.verifyingContract = verifyingContract
    }

    static let fullTypeString = "EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)"
    static let shortTypeString = "EIP712Domain(string name,string version,uint256 chainId)"
    private static let fullTypeHash = Keccak256.hash(utf8: fullTypeString)
    private static let shortTypeHash = Keccak256.hash(utf8: shortTypeString)

    /// The domain's `encodeType` string (it depends on which fields are present).
    public var typeString: String { verifyingContract == nil ? Self.shortTypeString : Self.fullTypeString }

    /// `keccak256(typeString)`.
    public var typeHash: [UInt8] { verifyingContract == nil ? Self.shortTypeHash : Self.fullTypeHash }

    /// `hashStruct(domain)`: the domain separator. Constant per domain, so callers on a hot
    /// path compute it once (``ExchangeDomain`` does).
    public var separator: [UInt8] {
        var encoded = typeHash + ABIWord.string(name) + ABIWord.string(version) + ABIWord.uint(chainID)
        if let contract = verifyingContract { encoded += ABIWord.address(contract) }
        return Keccak256.hash(encoded)
    }
}
