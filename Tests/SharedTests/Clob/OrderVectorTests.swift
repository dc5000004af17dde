import Testing
import PolypipeCore
import VenueClient

/// Every `order` case of the vector file, through the library (not the CLI).
///
/// Amounts must equal `exact_decimal_reference`; everything downstream of the amounts (struct
/// hash, digest = order ID, signature, POST body bytes, L2 headers) must be byte-identical to the
/// official client for the same amounts. Where the official floats lost a unit, the official
/// amounts are signed too, and that output compared byte for byte.
@Suite struct OrderVectorTests {
    @Test(arguments: Vectors.cases("order"))
    func buildsTheOfficialOrder(_ vector: VectorCase) throws {
        let inputs = vector.inputs
        let expected = vector.expected
        let key = try PrivateKey(hex: inputs.text("private_key"))
        let chain = try #require(Chain(rawValue: UInt64(inputs.text("chain_id")) ?? 0))
        let signatureType = try #require(SignatureType(rawValue: UInt8(inputs.text("signature_type")) ?? 9))
        let funder = inputs["funder"]?.scalarText.map { try? EthereumAddress($0) } ?? nil
        let side = try #require(Side(text: inputs.text("side")))
        let exchange = Self.exchange(inputs)
        #expect(String(exchange.version.rawValue) == expected.text("resolved_exchange_version"))
        let tokenID = try TokenID(decimal: inputs["position_id"]?.scalarText ?? inputs.text("token_id"))
        let tick = TickSize(text: inputs.text("tick_size"))

        let pricing: OrderBuilder.Pricing
        switch inputs.text("order_kind") {
        case "limit": pricing = .limit(price: try Price(inputs.text("price_str")), size: try Shares(inputs.text("size_str")))
        case "market":
            let text = inputs.text("amount_str")
            let amount: OrderBuilder.MarketAmount = try side == .buy ? .collateral(Collateral(text)) : .shares(Shares(text))
            pricing = .market(price: try Price(inputs.text("price_str")), amount: amount)
        default: pricing = .fixed(makerAmount: try UInt256(decimal: inputs.text("maker_amount")), takerAmount: try UInt256(decimal: inputs.text("taker_amount")))
        }
        let makerOverride = inputs["maker"]?.scalarText.map { try? EthereumAddress($0) } ?? nil
        let builder = OrderBuilder(signer: OrderSigner(key: key, chain: chain), signatureType: signatureType, funder: makerOverride ?? funder)
        let built = try builder.build(pricing, side: side, tokenID: tokenID, tick: tick, exchange: exchange,
                                      salt: UInt256(decimal: inputs.text("salt")), timestamp: UInt256(decimal: inputs.text("timestamp_ms")),
                                      metadata: try Bytes32(inputs.text("metadata")), builder: try Bytes32(inputs.text("builder_code")),
                                      expiration: UInt64(inputs.text("expiration")) ?? 0)

        // Amounts: the exact reference (which is the official value where the client is exact).
        let reference = expected["exact_decimal_reference"]
        let referenceMaker = reference.map { $0.text("maker_amount") } ?? expected.text("maker_amount")
        let referenceTaker = reference.map { $0.text("taker_amount") } ?? expected.text("taker_amount")
        #expect(built.signed.order.makerAmount.description == referenceMaker)
        #expect(built.signed.order.takerAmount.description == referenceTaker)
        if let reference, let amounts = built.amounts {
            #expect(amounts.price == (try ExactDecimal(reference.text("rounded_price"))))
        }

        let official: SignedOrder
        if reference?["differs_from_official"]?.boolValue == true {
            // Same amounts as the official client → everything downstream must be identical.
            var order = built.signed.order
            order.makerAmount = try UInt256(decimal: expected.text("maker_amount"))
            order.takerAmount = try UInt256(decimal: expected.text("taker_amount"))
            official = try builder.signer.sign(order, for: exchange, expiration: built.signed.expiration)
            #expect(built.signed.orderID != expected.text("order_hash"), "exact amounts differ, so the order differs")
        } else {
            official = built.signed
        }
        #expect(official.order.maker.text == expected.text("maker"))
        #expect(official.order.signer.text == expected.text("signer"))
        #expect(Hex.encode(official.domainSeparator) == expected.text("eip712.domain_separator"))
        #expect(Hex.encode(official.order.encoded) == expected.text("eip712.encoded_struct"))
        #expect(Hex.encode(official.structHash) == expected.text("eip712.struct_hash"))
        #expect(official.orderID == expected.text("order_hash"))
        #expect(Hex.encode(official.signature) == expected.text("signature"))

        let creds = try #require(inputs["api_creds"])
        let credentials = ApiCredentials(apiKey: creds.text("api_key"), secret: creds.text("api_secret"), passphrase: creds.text("api_passphrase"))
        let orderType = try #require(OrderType(text: inputs.text("order_type")))
        let body = OrderPayload.body(official, owner: credentials.apiKey, orderType: orderType,
                                     deferExec: inputs["defer_exec"]?.boolValue ?? false, postOnly: inputs["post_only"]?.boolValue ?? false)
        #expect(body == expected.text("post.body"))
        let headers = try L2Signer(credentials: credentials, address: key.address)
            .headers(timestamp: inputs.text("l2_timestamp"), method: "POST", path: "/order", body: body)
        let expectedHeaders = try #require(expected.at("post.poly_headers"))
        #expect(headers.count == 5)
        for header in headers { #expect(header.value == expectedHeaders.text(header.name), "\(header.name)") }
    }

    /// position_id → ExchangeV3; else the version given or answered by `/version` (default 2).
    static func exchange(_ inputs: JSONValue) -> Exchange {
        if inputs["position_id"]?.isNull == false { return .v3 }
        let version = inputs["exchange_version"]?.scalarText ?? inputs.at("server_version_response.version")?.scalarText ?? "2"
        return Exchange.select(version: version == "3" ? .v3 : .v2, negRisk: inputs["neg_risk"]?.boolValue ?? false)
    }

    /// POLY_1271: the posted signature is the ERC-7739 envelope around the owner's signature,
    /// and the inner signature recovers to the owner EOA over the nested digest.
    @Test(arguments: Vectors.cases("order").filter { $0.expected["poly1271"]?.isNull == false })
    func depositWalletEnvelope(_ vector: VectorCase) throws {
        let poly = try #require(vector.expected["poly1271"])
        let envelope = try Hex.decode(vector.expected.text("signature"))
        #expect(envelope.count == 65 + 32 + 32 + 186 + 2)
        #expect(Hex.encode(envelope[0..<65]) == poly.text("inner_signature"))
        let inner = try RecoverableSignature(bytes: Array(envelope[0..<65]))
        let digest = try Hex.decode(poly.text("signed_digest"))
        #expect(try Secp256k1.recoverAddress(signature: inner, digest: digest).checksummed == vector.expected.text("signer_eoa"))
        let nested = TypedDataSign(contentsHash: try Hex.decode(poly.text("contents_hash")),
                                   chainID: UInt64(vector.inputs.text("chain_id")) ?? 0,
                                   wallet: try EthereumAddress(poly.text("wallet_domain.verifyingContract")))
        #expect(Hex.encode(nested.encoded) == poly.text("typed_data_sign_encoded"))
        #expect(Hex.encode(nested.structHash) == poly.text("typed_data_sign_struct_hash"))
        #expect(Hex.encode(EIP712.digest(domainSeparator: try Hex.decode(poly.text("app_domain_separator")), structHash: nested.structHash)) == poly.text("signed_digest"))
    }
}
