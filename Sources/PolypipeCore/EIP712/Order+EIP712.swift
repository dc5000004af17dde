extension Order: EIP712Struct {
    /// The V2/V3 Order type string (spec §1.2); its hash is
    /// `0xbb86318a2138f5fa8ae32fbe8e659f8fcf13cc6ae4014a707893055433818589`.
    public static let typeString = "Order(uint256 salt,address maker,address signer,uint256 tokenId,uint256 makerAmount,uint256 takerAmount,uint8 side,uint8 signatureType,uint256 timestamp,bytes32 metadata,bytes32 builder)"

    public static let typeHash = Keccak256.hash(utf8: typeString)

    public func encodedFields() -> [UInt8] {
        var out = [UInt8]()
        out.reserveCapacity(11 * 32)
        appendFields(to: &out)
        return out
    }

    /// `hashStruct(order)`, encoded into one stack buffer (the signing hot path).
    public var structHash: [UInt8] {
        withUnsafeTemporaryAllocation(byteCount: 12 * 32, alignment: 8) { buffer in
            var words = ABIWord.Writer(buffer)
            words.bytes(Self.typeHash)
            words.uint256(salt)
            words.address(maker)
            words.address(signer)
            words.uint256(tokenID.value)
            words.uint256(makerAmount)
            words.uint256(takerAmount)
            words.uint(UInt64(side.eip712Value))
            words.uint(UInt64(signatureType.rawValue))
            words.uint256(timestamp)
            words.bytes(metadata.bytes)
            words.bytes(builder.bytes)
            return Keccak256.hash(UnsafeRawBufferPointer(buffer))
        }
    }

    private func appendFields(to out: inout [UInt8]) {
        ABIWord.append(salt, to: &out)
        ABIWord.append(maker, to: &out)
        ABIWord.append(signer, to: &out)
        ABIWord.append(tokenID.value, to: &out)
        ABIWord.append(makerAmount, to: &out)
        ABIWord.append(takerAmount, to: &out)
        ABIWord.append(UInt64(side.eip712Value), to: &out)
        ABIWord.append(UInt64(signatureType.rawValue), to: &out)
        ABIWord.append(timestamp, to: &out)
        ABIWord.append(metadata, to: &out)
        ABIWord.append(builder, to: &out)
    }
}
