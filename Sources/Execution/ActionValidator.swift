import Bus
import PolypipeCore
import VenueClient
/// A strategy's action after exec-proc checked it: exact domain values, and the market facts
/// exec-proc looked up itself.
public struct ValidatedAction: Sendable, Hashable {
    public let id: String
    public let market: VenueCatalog.MarketInfo
    public let token: TokenID
    public let side: Side
    public let size: Shares
    public let limitPrice: Price
    public let expectedPrice: Price
    public let orderType: OrderType
    public let postOnly: Bool
    public let createdAtMillis: Int64
    /// `created_at_ms + ttl_ms`: past it the action is stale and its order is never (re)sent.
    public let expiresAtMillis: Int64
    public let strategy: String
    /// A resting lifetime (ms from the venue's acceptance) after which exec-proc cancels the
    /// order itself; 0: none.
    public var maxRestMillis: Int64 = 0
    /// A market BUY by amount (FOK/FAK, spec §2.3): the pUSD to spend, `limitPrice` the worst
    /// price; `size` is then zero. nil for an order by size.
    public var amount: Collateral? = nil
    /// GTD: the `expiration` signed into the body (unix seconds), 0 for every other order type.
    public var gtdExpiration: UInt64 = 0

    /// The same action on freshly looked-up market facts (after `order_version_mismatch`).
    public func with(market: VenueCatalog.MarketInfo) -> ValidatedAction {
        var copy = ValidatedAction(id: id, market: market, token: token, side: side, size: size, limitPrice: limitPrice,
                                   expectedPrice: expectedPrice, orderType: orderType, postOnly: postOnly,
                                   createdAtMillis: createdAtMillis, expiresAtMillis: expiresAtMillis, strategy: strategy)
        copy.maxRestMillis = maxRestMillis
        copy.amount = amount
        copy.gtdExpiration = gtdExpiration
        return copy
    }

    /// How the order's amounts are computed: a limit order by size, or a market BUY by amount.
    public var pricing: OrderBuilder.Pricing {
        if let amount { return .market(price: limitPrice, amount: .collateral(amount)) }
        return .limit(price: limitPrice, size: size)
    }

    /// The risk rules' view of it. A BUY by amount risks its amount; its size is the shares the
    /// amount buys at the worst price (what the order can take at most).
    public var proposal: RiskEngine.Proposal {
        guard let amount else {
            return RiskEngine.Proposal(market: market.conditionID, token: token, side: side, price: limitPrice, size: size)
        }
        let shares = Shares(micros: UInt64(UInt128(amount.micros) * 1_000_000 / UInt128(max(limitPrice.micros, 1))))
        return RiskEngine.Proposal(market: market.conditionID, token: token, side: side, price: limitPrice, size: shares, spend: amount)
    }
}

/// Step two of the pipeline (after the duplicate check): is this a well-formed, current
/// action for a market the venue knows, on that market's price grid? Every refusal names the
/// field and what was wrong.
public enum ActionValidator {
    public struct Refusal: Error, Equatable, CustomStringConvertible {
        public let description: String
        init(_ text: String) { description = text }
    }

    /// Action ids are journal keys and log fields: bounded and printable.
    static let maxIDLength = 128

    /// Checks the fields that need no venue lookup.
    public static func checkShape(_ action: ExecAction, nowMillis: Int64) throws(Refusal) {
        guard !action.id.isEmpty else { throw Refusal("id is empty") }
        guard action.id.utf8.count <= maxIDLength, action.id.unicodeScalars.allSatisfy({ $0.value > 0x20 && $0.value < 0x7F }) else {
            throw Refusal("id must be 1-\(maxIDLength) printable ASCII characters without spaces")
        }
        guard action.side != nil else { throw Refusal("side is not set (BUY or SELL)") }
        if action.amountMicros > 0 {
            try checkAmount(action)
        } else {
            guard action.sizeMicros > 0 else { throw Refusal("size_micros must be positive") }
        }
        guard action.limitPriceMicros > 0, action.limitPriceMicros < 1_000_000 else {
            throw Refusal("limit_price_micros \(action.limitPriceMicros) is outside (0, 1000000)")
        }
        guard action.expectedPriceMicros < 1_000_000 else { throw Refusal("expected_price_micros \(action.expectedPriceMicros) is not below 1000000") }
        guard action.ttlMillis > 0 else { throw Refusal("ttl_ms must be positive") }
        guard action.createdAtMillis > 0 else { throw Refusal("created_at_ms is not set") }
        let expiresAt = action.createdAtMillis.addingReportingOverflow(action.ttlMillis)
        guard !expiresAt.overflow, expiresAt.partialValue > nowMillis else {
            throw Refusal("expired: created at \(action.createdAtMillis) with ttl \(action.ttlMillis) ms, now \(nowMillis)")
        }
        guard action.createdAtMillis <= nowMillis + 5_000 else { throw Refusal("created_at_ms \(action.createdAtMillis) is in the future") }
        guard action.market.hasPrefix("0x"), action.market.count == 66 else { throw Refusal("market must be a condition id (0x + 64 hex)") }
        guard !action.postOnly || [.gtc, .gtd, .unspecified].contains(action.timeInForce) else {
            throw Refusal("post_only is only for GTC and GTD orders")
        }
        try checkExpiry(action, nowMillis: nowMillis)
        guard action.maxRestMillis >= 0 else { throw Refusal("max_rest_ms \(action.maxRestMillis) is negative") }
        guard action.maxRestMillis == 0 || (action.timeInForce != .fok && action.timeInForce != .fak) else {
            throw Refusal("max_rest_ms is only for orders that rest (GTC, GTD): FOK/FAK never rest")
        }
    }

    /// The full check: shape, then the venue's facts (market known, token in it, price on its tick).
    public static func validate(_ action: ExecAction, catalog: VenueCatalog, nowMillis: Int64) throws(Refusal) -> ValidatedAction {
        try checkShape(action, nowMillis: nowMillis)
        guard let side = action.side else { throw Refusal("side is not set (BUY or SELL)") }
        let token: TokenID
        do { token = try TokenID(decimal: action.tokenID) } catch { throw Refusal("token_id '\(action.tokenID.prefix(80))' is not a decimal uint256") }
        let market: VenueCatalog.MarketInfo
        do { market = try catalog.info(for: token) } catch {
            throw Refusal("token \(action.tokenID.prefix(80)) is not a market the venue knows: \(error)")
        }
        guard market.conditionID.lowercased() == action.market.lowercased() else {
            throw Refusal("token \(action.tokenID.prefix(80)) belongs to market \(market.conditionID), not \(action.market)")
        }
        let tickMicros = UInt64(market.tick.value.units(atScale: 6) ?? 1)
        guard action.limitPriceMicros % tickMicros == 0 else {
            throw Refusal("limit price \(Price(micros: action.limitPriceMicros)) is not on the market's tick \(market.tick)")
        }
        let orderType: OrderType
        switch action.timeInForce {
        case .fok: orderType = .fok
        case .fak: orderType = .fak
        case .gtd: orderType = .gtd
        case .gtc, .unspecified, .unrecognized: orderType = .gtc
        }
        var validated = ValidatedAction(id: action.id, market: market, token: token, side: side,
                                        size: Shares(micros: action.sizeMicros), limitPrice: Price(micros: action.limitPriceMicros),
                                        expectedPrice: Price(micros: action.expectedPriceMicros), orderType: orderType,
                                        postOnly: action.postOnly, createdAtMillis: action.createdAtMillis,
                                        expiresAtMillis: action.createdAtMillis + action.ttlMillis, strategy: action.strategy)
        validated.maxRestMillis = action.maxRestMillis
        if action.amountMicros > 0 { validated.amount = Collateral(micros: action.amountMicros) }
        if orderType == .gtd { validated.gtdExpiration = gtdExpiration(expiresAtMillis: action.gtdExpiresAtMillis) }
        return validated
    }
}
