extension Order: EIP712Struct {
    /// The V2/V3 Order type string (spec §1.2); its hash is
    /// `0xbb86318a2138f5fa8ae32fbe8e659f8fcf13cc6ae4014a707893055433818589`.
    public static let typeString = "Order(uint256 salt,address maker,address signer,uint256 tokenId,uint256 makerAmount,uint256 takerAmount,uint8 side,uint8 signatureType,uint256 timestamp,bytes32 metadata,bytes32 builder)"

    public static let typeHash = Keccak256.hash(utf8: typeString)

    public func encodedFields() -> [UInt8] {
        var out = [UInt8]()
        out.reserveCapacity(11 * 32)
        out += ABIWord.uint256(salt)
        out += ABIWord.address(maker)
        out += ABIWord.address(signer)
        out += ABIWord.uint256(tokenID)
        out += ABIWord.uint256(makerAmount)
        out += ABIWord.uint256(takerAmount)
        out += ABIWord.uint(UInt64(side.eip712Value))
        out += ABIWord.uint(UInt64(signatureType.rawValue))
        out += ABIWord.uint256(timestamp)
        out += ABIWord.bytes32(metadata)
        out += ABIWord.bytes32(builder)
        return out
    }
}
