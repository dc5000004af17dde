import PolypipeCore

/// The account calls (spec §4.5, §6.1): balances and allowances, and the signer's rate-limit
/// tier. L2; blocking, like every ``ClobClient`` call.
extension ClobClient {
    /// The asset a balance query is about.
    public enum AssetType: String, Sendable {
        case collateral = "COLLATERAL"
        case conditional = "CONDITIONAL"
        case conditionalV2 = "CONDITIONAL-V2"
    }

    public func balanceAllowance(_ asset: AssetType, tokenID: TokenID? = nil, signatureType: SignatureType) throws(ClobError) -> BalanceAllowance {
        try BalanceAllowance(json: try send(try l2Request("GET", "/balance-allowance", body: nil,
                                                            query: balanceQuery(asset, tokenID, signatureType))))
    }

    /// Asks the venue to re-read chain state (after a deposit or approval), then returns it.
    public func updateBalanceAllowance(_ asset: AssetType, tokenID: TokenID? = nil, signatureType: SignatureType) throws(ClobError) -> BalanceAllowance {
        let response = try sendRaw(try l2Request("GET", "/balance-allowance/update", body: nil, query: balanceQuery(asset, tokenID, signatureType)))
        guard (200..<300).contains(response.status) else { throw ClobError.from(response) }
        return try balanceAllowance(asset, tokenID: tokenID, signatureType: signatureType)
    }

    /// The signer's rate-limit tier: `GET /v1/user/rate-limit-tier` (L2; spec §6.1 calls its
    /// shape UNCONFIRMED, so a `tier` field or the `Poly-RateLimit-Tier` header is read).
    /// - Throws: ``ClobError/unknown(_:)`` when neither names a known tier.
    public func rateLimitTier() throws(ClobError) -> RateLimitTier {
        let response = try sendRaw(try l2Request("GET", "/v1/user/rate-limit-tier", body: nil, query: []))
        guard (200..<300).contains(response.status) else { throw ClobError.from(response) }
        let field = (try? JSONParser.parse(response.body))?["tier"]?.scalarText
        guard let name = field ?? response.header("poly-ratelimit-tier"), let tier = RateLimitTier(venueName: name) else {
            throw .unknown("rate-limit tier: no known tier in the answer (\(response.bodyText.prefix(200)))")
        }
        return tier
    }

    private func balanceQuery(_ asset: AssetType, _ tokenID: TokenID?, _ signatureType: SignatureType) -> [(String, String)] {
        var query = [("asset_type", asset.rawValue)]
        if let tokenID { query.append(("token_id", tokenID.description)) }
        query.append(("signature_type", String(signatureType.rawValue)))
        return query
    }
}
