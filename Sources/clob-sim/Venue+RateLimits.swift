import PolypipeCore
import VenueClient

/// Per-signer rate limiting of the trading calls, and `GET /v1/user/rate-limit-tier`.
extension Venue {
    /// Runs a trading call inside the signer's bucket: refused with 429 (`Retry-After`, nothing
    /// done) when the bucket lacks the tokens; otherwise performed, and the answer — success or
    /// error — carries `Poly-RateLimit-Remaining`, `-Reset` and `-Tier` for the bucket it drew on.
    func trading(_ call: TradingCall, _ request: SimRequest, key: ApiKeyStore.Key) -> SimResponse {
        let now = nowMillis
        var reading: SignerRateLimits.Reading
        do {
            reading = try rateLimits.take(call.upfrontCost(body: request.body), from: call.bucket, signer: key.address, nowMillis: now)
        } catch {
            return Self.tooManyRequests(error)
        }
        let owner = key.credentials.apiKey
        let openBefore = call.chargesPerCancelled ? engine.openOrderIDs(owner: owner).count : 0
        var response: SimResponse
        do {
            switch call {
            case .postOrder: response = try postOrder(request, key: key)
            case .postOrders: response = try postOrders(request, key: key)
            case .cancelOrder: response = try cancelOrder(request, key: key)
            case .cancelOrders: response = try cancelOrders(request, key: key)
            case .cancelAll: response = cancelAll(key: key)
            case .cancelMarket: response = try cancelMarket(request, key: key)
            }
        } catch {
            response = .error(error)
        }
        if call.chargesPerCancelled {
            let cancelled = openBefore - engine.openOrderIDs(owner: owner).count
            if cancelled > 0 { reading = rateLimits.charge(cancelled, to: .cancels, signer: key.address, nowMillis: now) }
        }
        response.headers.merge(Self.rateLimitHeaders(reading)) { _, new in new }
        return response
    }

    /// `GET /v1/user/rate-limit-tier` (L2). The venue's shape is UNCONFIRMED (spec §6.1); the
    /// sim answers the tier's venue name and both buckets' sizes and current balances:
    /// `{"tier": "Standard", "orders": {"rate": 40, "burst": 60, "remaining": 60},
    ///   "cancels": {"rate": 80, "burst": 120, "remaining": 120}}`.
    func rateLimitTier(key: ApiKeyStore.Key) -> SimResponse {
        let now = nowMillis
        let tier = rateLimits.tier(of: key.address)
        func bucket(_ size: RateLimitTier.Bucket, _ kind: SignerRateLimits.Kind) -> JSONValue {
            let remaining = rateLimits.reading(kind, signer: key.address, nowMillis: now).remaining
            return .object([("rate", .number(String(size.rate))), ("burst", .number(String(size.burst))),
                            ("remaining", .number(String(remaining)))])
        }
        return .json(.object([("tier", .string(tier.venueName)), ("orders", bucket(tier.orders, .orders)),
                              ("cancels", bucket(tier.cancels, .cancels))]))
    }

    static func rateLimitHeaders(_ reading: SignerRateLimits.Reading) -> [String: String] {
        ["poly-ratelimit-remaining": String(reading.remaining), "poly-ratelimit-reset": String(reading.resetSeconds),
         "poly-ratelimit-tier": reading.tier.venueName]
    }

    /// 429 with `Retry-After` (whole seconds) and a JSON error naming the bucket, the tier, what
    /// is left and what the call costs. A batch above the burst can never pass; its message
    /// says so, and `Retry-After` is then the time to a full bucket (clients that require the
    /// header still get one, but retrying the same batch will be refused again).
    static func tooManyRequests(_ refusal: SignerRateLimits.Refusal) -> SimResponse {
        let reading = refusal.reading
        let size = reading.tier.size(of: refusal.kind)
        let name = refusal.kind == .orders ? "order" : "cancel"
        var message = "rate limit exceeded: the \(name) bucket (tier \(reading.tier.venueName), \(size.rate)/s, burst \(size.burst)) "
            + "holds \(reading.remaining) tokens and this request costs \(refusal.cost)"
        if refusal.exceedsBurst { message += "; a request costing more than the burst is never admitted, split it" }
        var response = SimResponse.error(SimError(status: 429, message: message))
        response.headers = rateLimitHeaders(reading)
        response.headers["retry-after"] = String(refusal.retryAfterSeconds)
        return response
    }
}
