/// The ERC-7739 nested typed-data message a deposit wallet's owner signs for a POLY_1271
/// (signature type 3) order, and the wrapped signature the exchange receives (spec §1.4).
///
/// The owner EOA signs, under the *exchange* domain, the struct
/// `TypedDataSign(Order contents,string name,string version,uint256 chainId,address verifyingContract,bytes32 salt)`
/// with `contents` = the order, `name` "DepositWallet", `version` "1", the chain, the wallet
/// address and a zero salt. The signature sent is
/// `innerSig(65) ‖ appDomainSeparator(32) ‖ contentsHash(32) ‖ utf8(Order type) ‖ uint16be(len)`.
/// The order ID stays the plain EIP-712 digest of the order.
public struct TypedDataSign: EIP712Struct {
    public static let typeString = "TypedDataSign(Order contents,string name,string version,uint256 chainId,address verifyingContract,bytes32 salt)" + Order.typeString
    public static let typeHash = Keccak256.hash(utf8: typeString)

    /// The order's struct hash (`hashStruct(contents)`).
    public let contentsHash: [UInt8]
    public let chainID: UInt64
    /// The deposit wallet.
    public let wallet: EthereumAddress
    public let name = "DepositWallet"
    public let version = "1"

    private static let nameHash = Keccak256.hash(utf8: "DepositWallet")
    private static let versionHash = Keccak256.hash(utf8: "1")

    public init(contentsHash: [UInt8], chainID: UInt64, wallet: EthereumAddress) {
        self.contentsHash = contentsHash
        self.chainID = chainID
        self.wallet = wallet
    }

    public func encodedFields() -> [UInt8] {
        contentsHash + Self.nameHash + Self.versionHash + ABIWord.uint(chainID) + ABIWord.address(wallet) + Bytes32.zero.bytes
    }

    /// The wrapped signature the exchange's `isValidSignature` unpacks.
    public static func wrap(innerSignature: RecoverableSignature, appDomainSeparator: [UInt8], contentsHash: [UInt8]) -> [UInt8] {
        let contentsType = Array(Order.typeString.utf8)
        let length = UInt16(contentsType.count)
        return innerSignature.bytes + appDomainSeparator + contentsHash + contentsType + [UInt8(length >> 8), UInt8(length & 0xFF)]
    }
}
