import PolypipeCore
/// An order exec-proc believes may rest on the venue, with what it puts at risk. Built from the
/// signed order itself (or its journaled body after a restart), never from the strategy's words.
public struct LiveOrder: Sendable, Hashable {
    public let orderID: OrderID
    public let actionID: String
    public let market: String
    public let token: TokenID
    public let side: Side
    /// BUY: collateral offered; SELL: shares offered (micro-units).
    public let makerAmount: UInt64
    /// Shares of the order (BUY: takerAmount; SELL: makerAmount).
    public let shares: UInt64
    public let price: Price
    /// When it was signed and journaled (unix ms).
    public let createdAtMillis: Int64

    public init(orderID: OrderID, actionID: String, market: String, order: Order, createdAtMillis: Int64) {
        self.orderID = orderID
        self.createdAtMillis = createdAtMillis
        self.actionID = actionID
        self.market = market
        self.token = order.tokenID
        self.side = order.side
        let maker = order.makerAmount.uint64Value ?? UInt64.max
        let taker = order.takerAmount.uint64Value ?? UInt64.max
        self.makerAmount = maker
        self.shares = order.side == .buy ? taker : maker
        let collateral = order.side == .buy ? maker : taker
        self.price = Price(micros: shares == 0 ? 0 : UInt64(UInt128(collateral) * 1_000_000 / UInt128(shares)))
    }

    /// Collateral still at risk when `matched` shares have filled (BUY only; SELL risks shares).
    public func unfilledCollateral(matched: UInt64) -> UInt64 {
        guard side == .buy, shares > 0 else { return 0 }
        let remaining = shares - min(shares, matched)
        return UInt64(UInt128(makerAmount) * UInt128(remaining) / UInt128(shares))
    }
}
