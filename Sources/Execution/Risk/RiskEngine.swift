import PolypipeCore
/// The signer's risk rules: every proposed order gets a ``RiskDecision`` before anything is
/// signed. A value type with no I/O, so every rule is tested directly (and by random sequences).
///
/// Exposure bookkeeping: an allowed BUY adds its notional to its market's exposure when it is
/// signed (the worst case: it may fill completely); fills and cancels adjust it through
/// ``release(market:amount:)``. A SELL of held shares reduces exposure and is allowed even
/// while ``TradingState/reducing``.
public struct RiskEngine: Sendable {
    /// One order the strategy asks for, in exact units.
    public struct Proposal: Sendable, Hashable {
        public let market: String
        public let token: TokenID
        public let side: Side
        public let price: Price
        public let size: Shares
        /// A market BUY by amount (spec §2.3): the pUSD it may spend. Its notional is this
        /// amount, whatever `size` (the shares it buys at the worst `price`) says.
        public let spend: Collateral?

        public init(market: String, token: TokenID, side: Side, price: Price, size: Shares, spend: Collateral? = nil) {
            self.market = market
            self.token = token
            self.side = side
            self.price = price
            self.size = size
            self.spend = spend
        }

        /// The collateral at risk in pUSD micro-units: the amount of a BUY by amount, else
        /// size × price (rounded up: the worst case).
        public var notional: UInt64 {
            spend?.micros ?? Collateral.cost(of: size, at: price, rounding: .up).micros
        }
    }

    public var limits: RiskLimits
    public private(set) var state: TradingState
    /// Collateral at risk per market.
    public private(set) var exposure: [String: UInt64] = [:]
    /// Shares held per token (what a SELL may reduce).
    public private(set) var holdings: [TokenID: UInt64] = [:]
    /// Shares held plus shares open BUY orders may still buy, per token: what
    /// ``RiskLimits/maxTokenShares`` caps. An allowed BUY adds its size at once (it may fill
    /// completely); a cancelled remainder leaves through ``releaseOpenBuy(token:shares:)``;
    /// resynchronization replaces it with the venue's view.
    public private(set) var tokenShares: [TokenID: UInt64] = [:]
    public private(set) var realizedLossToday: UInt64 = 0
    private var signedAt: [Int64] = []  // unix ms of recent signed orders

    public init(limits: RiskLimits, state: TradingState = .running) {
        self.limits = limits
        self.state = state
    }

    public var totalExposure: UInt64 { exposure.values.reduce(0, +) }

    /// Judges `proposal` at `nowMillis` against the book `mid` (nil when the book is empty, which
    /// refuses: no reference, no order). An allowed order is counted as signed.
    public mutating func evaluate(_ proposal: Proposal, mid: Price?, nowMillis: Int64) -> RiskDecision {
        let decision = judge(proposal, mid: mid, nowMillis: nowMillis)
        if decision == .allow {
            signedAt.append(nowMillis)
            switch proposal.side {
            case .buy:
                exposure[proposal.market, default: 0] += proposal.notional
                tokenShares[proposal.token, default: 0] += proposal.size.micros
            case .sell: holdings[proposal.token, default: 0] -= proposal.size.micros
            }
        }
        return decision
    }

    private mutating func judge(_ proposal: Proposal, mid: Price?, nowMillis: Int64) -> RiskDecision {
        guard proposal.size.micros > 0 else { return .reject(.invalid("size must be positive")) }
        guard proposal.price.micros > 0, proposal.price.micros < 1_000_000 else { return .reject(.invalid("price must be inside (0, 1)")) }
        let reduces = proposal.side == .sell && proposal.size.micros <= holdings[proposal.token, default: 0]
        switch state {
        case .halted: return .reject(.halted)
        case .reducing where !reduces: return .reject(.reducingOnly)
        default: break
        }
        if proposal.side == .sell && !reduces {
            return .reject(.invalid("selling \(proposal.size) shares without holding them"))
        }
        signedAt.removeAll { $0 <= nowMillis - 60_000 }
        guard signedAt.count < limits.maxOrdersPerMinute else { return .reject(.orderRateAboveLimit(perMinute: limits.maxOrdersPerMinute)) }
        guard let mid else { return .reject(.noReferencePrice) }
        let distance = proposal.price.micros > mid.micros ? proposal.price.micros - mid.micros : mid.micros - proposal.price.micros
        guard distance <= limits.priceBand.micros else { return .reject(.outsidePriceBand(mid: mid, price: proposal.price, band: limits.priceBand)) }
        guard proposal.side == .buy else { return .allow }  // a covered sell only lowers exposure
        let notional = proposal.notional
        guard notional <= limits.maxOrderNotional.micros else {
            return .reject(.notionalAboveLimit(limit: limits.maxOrderNotional, requested: Collateral(micros: notional)))
        }
        let market = exposure[proposal.market, default: 0] + notional
        guard market <= limits.maxMarketExposure.micros else {
            return .reject(.marketExposureAboveLimit(limit: limits.maxMarketExposure, after: Collateral(micros: market)))
        }
        let total = totalExposure + notional
        guard total <= limits.maxTotalExposure.micros else {
            return .reject(.totalExposureAboveLimit(limit: limits.maxTotalExposure, after: Collateral(micros: total)))
        }
        if let maxShares = limits.maxTokenShares {
            let shares = tokenShares[proposal.token, default: 0] + proposal.size.micros
            guard shares <= maxShares.micros else {
                return .reject(.tokenSharesAboveLimit(token: proposal.token, limit: maxShares, after: Shares(micros: shares)))
            }
        }
        return .allow
    }

    /// A BUY filled: its shares are now held (its exposure stays, as cost).
    public mutating func bought(token: TokenID, shares: Shares) {
        holdings[token, default: 0] += shares.micros
    }

    /// Exposure that no longer exists: an unfilled remainder cancelled, or shares sold.
    public mutating func release(market: String, amount: Collateral) {
        let current = exposure[market, default: 0]
        exposure[market] = current - min(current, amount.micros)
    }

    /// Shares a BUY will no longer buy (its unfilled remainder cancelled, expired or never
    /// placed): they leave the token's count for ``RiskLimits/maxTokenShares``.
    public mutating func releaseOpenBuy(token: TokenID, shares: Shares) {
        let current = tokenShares[token, default: 0]
        tokenShares[token] = current - min(current, shares.micros)
    }

    /// A realized loss; reaching the daily limit halts trading.
    public mutating func realized(loss: Collateral) {
        realizedLossToday += loss.micros
        if realizedLossToday >= limits.dailyLossLimit.micros { state = .halted }
    }

    public mutating func set(_ newState: TradingState) { state = newState }

    /// Orders signed before this engine existed (by a process that has since restarted), at
    /// these unix-ms times: they count toward the orders-per-minute limit like its own, so a
    /// restart never hands a flooding strategy a fresh budget.
    public mutating func restoreSigned(atMillis times: [Int64]) {
        signedAt = (signedAt + times).sorted()
    }

    /// An allowed order that never reached the book (the venue rejected it, or it was cancelled
    /// unfilled): its exposure (BUY) or its reserved shares (SELL) come back. The order still
    /// counts toward the orders-per-minute limit: it was signed.
    public mutating func undo(_ proposal: Proposal) {
        switch proposal.side {
        case .buy:
            release(market: proposal.market, amount: Collateral(micros: proposal.notional))
            releaseOpenBuy(token: proposal.token, shares: proposal.size)
        case .sell: holdings[proposal.token, default: 0] += proposal.size.micros
        }
    }

    /// Replaces the exposure and holdings with what the venue reports (resting BUY notional and
    /// position cost per market, shares per token, held plus open BUY shares per token): the
    /// periodic and startup resynchronization.
    public mutating func resynchronize(exposure: [String: UInt64], holdings: [TokenID: UInt64], tokenShares: [TokenID: UInt64] = [:]) {
        self.exposure = exposure
        self.holdings = holdings
        self.tokenShares = tokenShares
    }
}

/// The verdict on one proposal; a refusal says which rule and by how much.
public enum RiskDecision: Sendable, Hashable {
    case allow
    case reject(RiskRejection)
}

public enum RiskRejection: Sendable, Hashable, CustomStringConvertible {
    case halted
    case reducingOnly
    case invalid(String)
    case noReferencePrice
    case orderRateAboveLimit(perMinute: Int)
    case outsidePriceBand(mid: Price, price: Price, band: Price)
    case notionalAboveLimit(limit: Collateral, requested: Collateral)
    case marketExposureAboveLimit(limit: Collateral, after: Collateral)
    case totalExposureAboveLimit(limit: Collateral, after: Collateral)
    case tokenSharesAboveLimit(token: TokenID, limit: Shares, after: Shares)

    public var description: String {
        switch self {
        case .halted: return "trading is halted"
        case .reducingOnly: return "trading is reduce-only and this order does not reduce exposure"
        case .invalid(let reason): return "invalid order: \(reason)"
        case .noReferencePrice: return "no book mid to check the price against"
        case .orderRateAboveLimit(let perMinute): return "more than \(perMinute) orders in the last minute"
        case .outsidePriceBand(let mid, let price, let band): return "price \(price) is more than \(band) from the mid \(mid)"
        case .notionalAboveLimit(let limit, let requested): return "order notional $\(requested) exceeds the $\(limit) limit"
        case .marketExposureAboveLimit(let limit, let after): return "market exposure would be $\(after), above the $\(limit) limit"
        case .totalExposureAboveLimit(let limit, let after): return "total exposure would be $\(after), above the $\(limit) limit"
        case .tokenSharesAboveLimit(let token, let limit, let after):
            return "token \(token) would reach \(after) shares held and on open BUYs, above the \(limit) limit (max_token_shares)"
        }
    }
}
