import PolypipeCore
import VenueClient
/// exec-proc's exposure and holdings, rebuilt from scratch out of what the venue reports and
/// what only exec-proc knows — a pure value, computed in one place and handed whole to
/// ``RiskEngine/resynchronize(exposure:holdings:tokenShares:)``.
///
/// Exposure, per market, in pUSD micro-units — the most that could be lost:
/// - a resting BUY: its unmatched rest × price, rounded up (what it may still spend);
/// - an order of ours the venue does not list but may hold (outcome unknown, still in flight,
///   held by the taker delay): its whole collateral, as if unfilled;
/// - shares held (provisional ones included): 1 pUSD each, the most a share can pay out
///   (their cost is not known here; face value is the conservative figure).
///
/// Holdings, per token, in share micro-units — what a SELL may use: the balance, less shares
/// bought in trades not yet CONFIRMED (a FAILED trade takes them back: SET-03), less shares
/// already offered by SELL orders (resting, or ours unlisted). Never below zero.
public struct ExposureSnapshot: Sendable, Hashable {
    /// An order resting on the venue (anyone's on this account).
    public struct Resting: Sendable, Hashable {
        public let market: String
        public let token: TokenID
        public let side: Side
        public let price: Price
        /// Original size less size matched.
        public let unmatched: Shares

        public init(market: String, token: TokenID, side: Side, price: Price, unmatched: Shares) {
            self.market = market
            self.token = token
            self.side = side
            self.price = price
            self.unmatched = unmatched
        }

        public init(_ order: OpenOrder) {
            self.init(market: order.market, token: order.tokenID, side: order.side, price: order.price,
                      unmatched: Shares(micros: order.originalSize.micros - min(order.originalSize.micros, order.sizeMatched.micros)))
        }
    }

    /// An order of ours the venue does not list, counted whole.
    public struct Unlisted: Sendable, Hashable {
        public let market: String
        public let token: TokenID
        public let side: Side
        /// BUY: collateral offered (the maker amount); SELL: 0.
        public let collateral: UInt64
        /// Shares of the order.
        public let shares: UInt64

        public init(market: String, token: TokenID, side: Side, collateral: UInt64, shares: UInt64) {
            self.market = market
            self.token = token
            self.side = side
            self.collateral = collateral
            self.shares = shares
        }

        public init(_ order: LiveOrder) {
            self.init(market: order.market, token: order.token, side: order.side,
                      collateral: order.unfilledCollateral(matched: 0), shares: order.shares)
        }
    }

    /// Collateral at risk per market (micro pUSD).
    public let exposure: [String: UInt64]
    /// Shares a SELL may use, per token (micro-shares).
    public let holdings: [TokenID: UInt64]
    /// Shares held plus shares resting BUY orders may still buy, per token (micro-shares): what
    /// ``RiskLimits/maxTokenShares`` caps. Held counts every share of the balance, offered in
    /// a SELL or not yet settled alike.
    public let tokenShares: [TokenID: UInt64]

    public var totalExposure: UInt64 { exposure.values.reduce(0, +) }

    /// - Parameters:
    ///   - resting: every open order the venue lists for the account.
    ///   - unlisted: orders of ours the venue may hold but does not list.
    ///   - balances: share balance per token, as the venue reports it.
    ///   - marketOf: the market (condition id) of each token with a balance; a token missing
    ///     here still counts, under the market "".
    ///   - provisional: shares per token bought in trades not yet CONFIRMED.
    public init(resting: [Resting], unlisted: [Unlisted], balances: [TokenID: UInt64], marketOf: [TokenID: String],
                provisional: [TokenID: UInt64]) {
        var exposure: [String: UInt64] = [:]
        var offered: [TokenID: UInt64] = [:]
        var tokenShares = balances
        for order in resting {
            switch order.side {
            case .buy:
                exposure[order.market, default: 0] += Collateral.cost(of: order.unmatched, at: order.price, rounding: .up).micros
                tokenShares[order.token, default: 0] += order.unmatched.micros
            case .sell:
                exposure[order.market, default: 0] += 0
                offered[order.token, default: 0] += order.unmatched.micros
            }
        }
        for order in unlisted {
            exposure[order.market, default: 0] += order.collateral
            switch order.side {
            case .buy: tokenShares[order.token, default: 0] += order.shares
            case .sell: offered[order.token, default: 0] += order.shares
            }
        }
        for (token, shares) in balances where shares > 0 {
            exposure[marketOf[token] ?? "", default: 0] += shares
        }
        var holdings = balances
        for (token, shares) in provisional.merging(offered, uniquingKeysWith: +) {
            holdings[token] = (holdings[token] ?? 0) - min(holdings[token] ?? 0, shares)
        }
        self.exposure = exposure
        self.holdings = holdings
        self.tokenShares = tokenShares
    }
}
