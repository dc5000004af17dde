import Testing
import PolypipeCore
import VenueClient

@Suite struct ConstantsTests {
    @Test(arguments: Vectors.cases("constants"))
    func exchangeDomainsAndTypeHashesMatchTheOfficialClient(_ vector: VectorCase) throws {
        let chain = try #require(Chain(rawValue: UInt64(vector.inputs.text("chain_id")) ?? 0))
        let expected = vector.expected
        for exchange in Exchange.allCases {
            let row = try #require(expected.at("domain_separators")?[exchange.rawValue])
            #expect(exchange.contract(on: chain).checksummed == row.text("verifyingContract"))
            #expect(exchange.domainVersion == row.text("version"))
            #expect(Hex.encode(exchange.domain(on: chain).separator) == row.text("domain_separator"))
        }
        #expect(Exchange.domainName == expected.text("domain_name"))
        #expect(Order.typeString == expected.text("order_type_string"))
        #expect(Hex.encode(Order.typeHash) == expected.text("order_type_hash"))
        #expect(Hex.encode(Keccak256.hash(utf8: EIP712Domain.init(name: "", version: "", chainID: 1, verifyingContract: .zero).typeString)) == expected.text("domain_type_hash"))
        #expect(TypedDataSign.typeString == expected.text("typed_data_sign_type_string"))
        #expect(Hex.encode(TypedDataSign.typeHash) == expected.text("typed_data_sign_type_hash"))
        #expect(Hex.encode(Keccak256.hash(utf8: "DepositWallet")) == expected.text("deposit_wallet_name_hash"))
        #expect(Hex.encode(Keccak256.hash(utf8: "1")) == expected.text("deposit_wallet_version_hash"))
        #expect(Hex.encode(ClobAuth.domain(chainID: chain.rawValue).separator) == expected.text("clob_auth_domain.domain_separator"))
        #expect(ClobAuth.attestation == expected.text("clob_auth_message"))
    }

    /// Spec §1.1's precomputed separators, independent of the vector file.
    @Test func specDomainSeparators() {
        #expect(Hex.encode(Exchange.ctfV2.domain(on: .polygon).separator) == "0x3264e159346253e26a64e00b69032db0e7d32f94628de3e6eecb50304d7af3d2")
        #expect(Hex.encode(Exchange.negRiskV2.domain(on: .polygon).separator) == "0x9b858f53327b0bd13af8ec14cfb35234fb9eb7b0504d1a4e61f433840d30e81a")
        #expect(Hex.encode(Exchange.v3.domain(on: .polygon).separator) == "0x466c63910185bbd55e8679264200c4e0abdcbb0c6264eb3d41d13326022e095b")
        #expect(Hex.encode(Exchange.ctfV2.domain(on: .amoy).separator) == "0xa440cbd865bc0c6243d7a8df9a8bf48a8827b0a4abbb61c30e96d305423af148")
        #expect(Hex.encode(Exchange.v3.domain(on: .amoy).separator) == "0xdf8b5fd204134b8d562677d7fc9346884e8f02ef2fd43358239393723e8833e6")
        #expect(Hex.encode(Order.typeHash) == "0xbb86318a2138f5fa8ae32fbe8e659f8fcf13cc6ae4014a707893055433818589")
        #expect(Hex.encode(ClobAuth.typeHash) == "0x52578c5c725a28a84fedc8c22aa47947822942f35b4dc350db028e45320e035c")
    }

    /// Spec §1.6 (test matrix KEY-11): the hardhat #0 order, digest and signature byte-identical.
    @Test func specOrderVector() throws {
        let key = try PrivateKey(hex: PrivateKeyTests.hardhat0)
        let order = Order(salt: UInt256(UInt64(479_249_096_354)), maker: key.address, signer: key.address, tokenID: TokenID(UInt256(UInt64(1234))),
                          makerAmount: UInt256(UInt64(100_000_000)), takerAmount: UInt256(UInt64(50_000_000)), side: .buy,
                          signatureType: .eoa, timestamp: UInt256(UInt64(1_780_449_126_930)))
        #expect(Hex.encode(order.structHash) == "0xad46f9ebe165698d85d680d32fd3b3330414a844d142c3ca669d60465674cd18")
        let polygon = try OrderSigner(key: key, chain: .polygon).sign(order, for: .ctfV2)
        #expect(polygon.orderID == "0xf69f17dcabb49e64a79a669ea5336cd3ce518c083c821664f295c62e39baedec")
        #expect(Hex.encode(polygon.signature) == "0x745070770d383e6f4e6431858070edacbea294ed0e2b16f147127edafc51b59a6e788aaeda02cce5989ee10cc983a4045313e1ec7075c5a5b84f6212b097d36a1b")
        let amoy = try OrderSigner(key: key, chain: .amoy).sign(order, for: .ctfV2)
        #expect(amoy.orderID == "0xf4b817f06f351bdc415e904135e806faee2d88050b2fab12370717143dc923b8")
        #expect(Hex.encode(amoy.signature) == "0xa96be879ff1c5b94c1f7bbb4e253e2283748c1261f8b21390979d31ee6a164656132219cf49fd86574380b4f5f11232945497b29ffbc74d4bf9a0623c17af0071b")
    }

    @Test func refusesToSignForAnotherAccount() throws {
        let key = try PrivateKey(hex: PrivateKeyTests.hardhat0)
        let other = try EthereumAddress("0x70997970C51812dc3A010C7d01b50e0d17dc79C8")
        let order = Order(salt: .zero, maker: other, signer: other, tokenID: TokenID(UInt256(UInt64(1))), makerAmount: .zero,
                          takerAmount: .zero, side: .buy, signatureType: .eoa, timestamp: .zero)
        #expect(throws: SigningError.self) { try OrderSigner(key: key, chain: .polygon).sign(order, for: .ctfV2) }
        var deposit = order
        deposit.signatureType = .poly1271
        deposit.signer = key.address  // a type-3 signer must be the deposit wallet (the maker)
        #expect(throws: SigningError.self) { try OrderSigner(key: key, chain: .polygon).sign(deposit, for: .ctfV2) }
    }
}
