import Testing
import PolypipeCore
import VenueClient

@Suite struct OrderVerifierTests {
    /// Every official POST body decodes and verifies: the recovered key is the vector's EOA and
    /// the digest is its order ID — the check the venue (and clob-sim) makes.
    @Test(arguments: Vectors.cases("order"))
    func officialBodiesDecodeAndVerify(_ vector: VectorCase) throws {
        let body = try JSONParser.parse(vector.expected.text("post.body"))
        let decoded = try OrderPayload.decode(body)
        let chain = try #require(Chain(rawValue: UInt64(vector.inputs.text("chain_id")) ?? 0))
        let exchange = OrderVectorTests.exchange(vector.inputs)
        let verified = try OrderVerifier.verify(decoded.order, signature: decoded.signature, exchange: exchange, chain: chain)
        #expect(Hex.encode(verified.orderHash) == vector.expected.text("order_hash"))
        #expect(verified.signingKey.checksummed == vector.expected.text("signer_eoa"))
        #expect(decoded.owner == vector.inputs.text("api_creds.api_key"))
        #expect(decoded.orderType.rawValue == vector.inputs.text("order_type"))
        // Re-encoding the decoded order gives the same bytes.
        let signed = SignedOrder(order: decoded.order, expiration: decoded.expiration, exchange: exchange,
                                 domainSeparator: exchange.domain(on: chain).separator, structHash: decoded.order.structHash,
                                 orderHash: verified.orderHash, signature: decoded.signature)
        #expect(OrderPayload.body(signed, owner: decoded.owner, orderType: decoded.orderType, deferExec: decoded.deferExec,
                                  postOnly: decoded.postOnly) == vector.expected.text("post.body"))
    }

    @Test func aTamperedOrderDoesNotVerifyForItsSigner() throws {
        let vector = try #require(Vectors.cases("order").first { $0.id == "order-sigtype0-negrisk1-137" })
        var decoded = try OrderPayload.decode(try JSONParser.parse(vector.expected.text("post.body"))).order
        decoded.makerAmount = UInt256(UInt64(1))
        let signature = try OrderPayload.decode(try JSONParser.parse(vector.expected.text("post.body"))).signature
        #expect(throws: SigningError.self) { try OrderVerifier.verify(decoded, signature: signature, exchange: .negRiskV2, chain: .polygon) }
    }

    @Test func aDepositWalletEnvelopeForAnotherExchangeIsRefused() throws {
        let vector = try #require(Vectors.cases("order").first { $0.expected["poly1271"]?.isNull == false && $0.inputs["neg_risk"] == .bool(false) && $0.inputs["position_id"]?.isNull != false })
        let decoded = try OrderPayload.decode(try JSONParser.parse(vector.expected.text("post.body")))
        let chain = try #require(Chain(rawValue: UInt64(vector.inputs.text("chain_id")) ?? 0))
        #expect(throws: SigningError.self) { try OrderVerifier.verify(decoded.order, signature: decoded.signature, exchange: .negRiskV2, chain: chain) }
    }

    @Test func malformedBodiesNameTheField() {
        let cases: [(String, String)] = [
            (#"{"owner":"k"}"#, "order"),
            (#"{"order":{"salt":1},"owner":"k"}"#, "order.side"),
            (#"{"order":{"salt":-1,"side":"BUY","signatureType":0,"signature":"0x00"},"owner":"k"}"#, "order.salt"),
            (#"{"order":{"salt":1,"side":"BUY","signatureType":0,"signature":"0x00","maker":"0xF39Fd6e51aad88F6F4ce6aB8827279cffFb92266"},"owner":"k"}"#, "order.maker"),
            (#"{"order":{"salt":1,"side":"buy"},"owner":"k"}"#, "order.side"),
            (#"{"order":{"salt":1,"side":"BUY","signatureType":7},"owner":"k"}"#, "order.signatureType"),
        ]
        for (text, field) in cases {
            do {
                _ = try OrderPayload.decode(try JSONParser.parse(text))
                Issue.record("accepted \(text)")
            } catch {
                #expect("\(error)".hasPrefix(field), "\(error)")
            }
        }
    }
}
