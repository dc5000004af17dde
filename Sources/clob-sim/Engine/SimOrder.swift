import PolypipeCore
import VenueClient

/// An order the simulator has accepted, with its fill state.
struct SimOrder: Sendable, Hashable {
    enum Status: String, Sendable {
        case live = "LIVE"
        /// Marketable, held by the taker delay (spec §9): funds reserved, not on the book,
        /// not cancellable.
        case delayed = "DELAYED"
        /// Ended after the delay without resting: nothing crossed any more, or a FOK/FAK
        /// was killed (spec §4.1 `unmatched`).
        case unmatched = "UNMATCHED"
        case matched = "MATCHED"
        case canceled = "CANCELED"
        case canceledMarketResolved = "CANCELED_MARKET_RESOLVED"
        /// A GTD order the venue expired (spec §2.2).
        case canceledExpired = "CANCELED_EXPIRED_ORDER"
    }

    /// The EIP-712 digest, `0x`-hex.
    let id: String
    /// The API key that owns it.
    let owner: String
    /// The funder whose balances move.
    let maker: EthereumAddress
    let market: String
    let token: TokenID
    let side: Side
    /// Limit (or worst) price in micro-units.
    let price: UInt64
    /// Size in share micro-units.
    let size: UInt64
    var matched: UInt64 = 0
    let orderType: OrderType
    /// Unix seconds; 0 = never.
    let expiration: UInt64
    /// Arrival order, for time priority.
    let sequence: UInt64
    /// Unix seconds.
    let createdAt: Int64
    var status: Status = .live
    /// Collateral (BUY) or shares (SELL) still held back for this order.
    var reserved: Int64
    var tradeIDs: [String] = []
    /// While ``Status/delayed``: when the delay ends (unix milliseconds).
    var releaseAtMillis: Int64?

    var remaining: UInt64 { size - matched }
    var isOpen: Bool { status == .live && remaining > 0 }
}

/// One fill of a resting (maker) order inside a trade.
struct MakerLeg: Sendable, Hashable {
    let orderID: String
    let owner: String
    let maker: EthereumAddress
    let token: TokenID
    let side: Side
    /// The maker's price (micro-units) and the shares it traded.
    let price: UInt64
    let amount: UInt64
    /// pUSD micro-units credited to the maker: its share of the taker's fee (``MarketFees``).
    var rebate: UInt64 = 0
}

/// A match between an incoming (taker) order and one or more resting orders.
struct SimTrade: Sendable, Hashable {
    let id: String
    let market: String
    let takerOrderID: String
    let takerOwner: String
    let taker: EthereumAddress
    let token: TokenID
    let side: Side
    /// Shares the taker traded, and the average price it got (micro-units).
    let size: UInt64
    let price: UInt64
    var makerLegs: [MakerLeg]
    /// pUSD micro-units the taker paid in fees on this trade (``MarketFees/takerFee(shares:price:)``
    /// of `size` at `price`), and the rate as `fee_rate_bps` shows it.
    var fee: UInt64 = 0
    var feeRateBps: String = "0"
    var status: TradeStatus = .matched
    /// Unix milliseconds.
    let matchedAt: Int64
    var lastUpdate: Int64
    var transactionHash: String = ""
    /// Balance moves (account, token or nil for collateral, amount) — reversed if the trade fails.
    var deltas: [(account: EthereumAddress, token: TokenID?, amount: Int64)]

    static func == (lhs: SimTrade, rhs: SimTrade) -> Bool { lhs.id == rhs.id && lhs.status == rhs.status }
    func hash(into hasher: inout Hasher) { hasher.combine(id) }
}

/// Something a WebSocket subscriber should hear about (spec §5.2), queued by the engine and
/// published by the venue after each request or tick.
enum EngineEvent: Sendable {
    enum OrderChange: String, Sendable { case placement = "PLACEMENT", update = "UPDATE", cancellation = "CANCELLATION" }
    case order(SimOrder, OrderChange)
    /// A trade at its current status (emitted when matched and on every status change).
    case trade(SimTrade)
}
