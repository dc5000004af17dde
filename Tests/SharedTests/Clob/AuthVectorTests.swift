import Testing
import PolypipeCore
import VenueClient

@Suite struct AuthVectorTests {
    @Test(arguments: Vectors.cases("l1_clob_auth"))
    func l1HeadersMatchTheOfficialClient(_ vector: VectorCase) throws {
        let key = try PrivateKey(hex: vector.inputs.text("private_key"))
        let chain = try #require(Chain(rawValue: UInt64(vector.inputs.text("chain_id")) ?? 0))
        let l1 = try L1Headers(key: key, chain: chain, timestamp: vector.inputs.text("timestamp"),
                               nonce: UInt256(decimal: vector.inputs.text("nonce")))
        let expected = vector.expected
        #expect(Hex.encode(l1.domain.separator) == expected.text("eip712.domain_separator"))
        #expect(Hex.encode(l1.message.encoded) == expected.text("eip712.encoded_struct"))
        #expect(Hex.encode(l1.message.structHash) == expected.text("eip712.struct_hash"))
        #expect(Hex.encode(l1.digest) == expected.text("eip712.digest"))
        #expect(l1.signature.hex == expected.text("signature"))
        let headers = try #require(expected["headers"])
        #expect(l1.headers.map(\.name) == ["POLY_ADDRESS", "POLY_SIGNATURE", "POLY_TIMESTAMP", "POLY_NONCE"])
        for header in l1.headers { #expect(header.value == headers.text(header.name), "\(header.name)") }
    }

    @Test(arguments: Vectors.cases("l2_hmac"))
    func l2SignatureMatchesTheOfficialClient(_ vector: VectorCase) throws {
        let inputs = vector.inputs
        let body: String?
        switch inputs["body"] {
        case .string(let text)?: body = text
        case .null?, nil: body = nil
        case let other?: body = JSONWriter.serialize(other)  // python_dict cases are covered by the CLI tests
        }
        if inputs.text("body_kind") == "python_dict" { return }
        let message = L2Signer.message(timestamp: inputs.text("timestamp"), method: inputs.text("method"),
                                       path: inputs.text("request_path"), body: body)
        #expect(message == vector.expected.text("hmac_message"))
        let signer = try L2Signer(credentials: ApiCredentials(apiKey: "", secret: inputs.text("secret"), passphrase: ""), address: .zero)
        #expect(signer.signature(message: message) == vector.expected.text("signature"))
        #expect(Hex.encode(L2Signer.decodeSecret(inputs.text("secret")) ?? []) == vector.expected.text("secret_decoded_hex"))
    }

    /// Whole requests as the official client sends them: L1 headers for key creation/derivation,
    /// L2 headers (over the exact body bytes) for every authenticated call.
    @Test(arguments: Vectors.cases("http_request"))
    func requestHeadersMatchTheOfficialClient(_ vector: VectorCase) throws {
        let inputs = vector.inputs
        let http = try #require(vector.expected["http"])
        let expectedHeaders = try #require(http["poly_headers"])
        let key = try PrivateKey(hex: inputs.text("private_key"))
        let chain = try #require(Chain(rawValue: UInt64(inputs.text("chain_id")) ?? 0))
        let produced: [(name: String, value: String)]
        if expectedHeaders["POLY_NONCE"] != nil {
            produced = try L1Headers(key: key, chain: chain, timestamp: inputs.text("clock_seconds"),
                                     nonce: UInt256(decimal: inputs["args"]?["nonce"]?.scalarText ?? "0")).headers
        } else {
            let creds = try #require(inputs["api_creds"])
            let signer = try L2Signer(credentials: ApiCredentials(apiKey: creds.text("api_key"), secret: creds.text("api_secret"),
                                                                  passphrase: creds.text("api_passphrase")), address: key.address)
            produced = signer.headers(timestamp: inputs.text("clock_seconds"), method: http.text("method"),
                                      path: http.text("path"), body: http["body"]?.scalarText)
            if let message = http["hmac_message"]?.scalarText {
                #expect(L2Signer.message(timestamp: inputs.text("clock_seconds"), method: http.text("method"),
                                         path: http.text("path"), body: http["body"]?.scalarText) == message)
            }
        }
        guard case .object(let members) = expectedHeaders else { Issue.record("poly_headers is not an object"); return }
        #expect(produced.map(\.name) == members.map(\.key))
        for header in produced { #expect(header.value == expectedHeaders.text(header.name), "\(header.name)") }
    }
}
