import PolypipeCore
/// The limits the signer enforces on every order, whatever the strategy asks (issue 4): they
/// live in the key holder so a compromised strategy cannot get around them.
///
/// All amounts are pUSD micro-units; exposure is the collateral at risk (what was paid for
/// shares still held, plus what resting BUY orders could still spend).
public struct RiskLimits: Sendable, Hashable {
    /// Largest notional (size × price) of one order.
    public var maxOrderNotional: Collateral
    /// Largest exposure in one market.
    public var maxMarketExposure: Collateral
    /// Largest exposure across all markets.
    public var maxTotalExposure: Collateral
    /// Most orders signed in any 60 s.
    public var maxOrdersPerMinute: Int
    /// Largest distance between an order's price and the book mid.
    public var priceBand: Price
    /// Realized loss (today, UTC) at which trading halts.
    public var dailyLossLimit: Collateral
    /// Most shares of one outcome token held plus bought by resting BUY orders (nil: no limit).
    public var maxTokenShares: Shares?

    public init(maxOrderNotional: Collateral, maxMarketExposure: Collateral, maxTotalExposure: Collateral,
                maxOrdersPerMinute: Int, priceBand: Price, dailyLossLimit: Collateral, maxTokenShares: Shares? = nil) {
        self.maxOrderNotional = maxOrderNotional
        self.maxMarketExposure = maxMarketExposure
        self.maxTotalExposure = maxTotalExposure
        self.maxOrdersPerMinute = maxOrdersPerMinute
        self.priceBand = priceBand
        self.dailyLossLimit = dailyLossLimit
        self.maxTokenShares = maxTokenShares
    }
}
