import PolypipeCore
import VenueClient
/// One fill: our leg of one venue trade, with its settlement status.
///
/// Facts only — what the venue said and when we heard it. Latency and slippage depend on the
/// order (its submit time, its expected price) and are computed by ``FillLedger``; the fee is
/// fixed when the fill is first seen, from the market's ``FeeSchedule`` at that time.
///
/// A fill is provisional until CONFIRMED; FAILED voids it (it then counts nowhere: not in
/// positions, P&L, fees, slippage or latency). Both are terminal (see ``TradeStatus/isTerminal``).
public struct FillRecord: Sendable, Hashable {
    /// Whether our order took liquidity (its id is the trade's `taker_order_id`) or rested.
    public enum Role: String, Sendable, Hashable, CaseIterable {
        case taker
        case maker
    }

    public let key: FillKey
    /// Arrival order in the ledger (unique, increasing; shared with resolutions). Positions are
    /// replayed in this order.
    public let sequence: Int64
    /// The market (condition id) of our order.
    public let market: String
    public let token: TokenID
    public let side: Side
    public let role: Role
    public let size: Shares
    /// Our leg's price: the trade price when we were the taker, our order's price as a maker.
    public let price: Price
    /// pUSD micro-units, a multiple of 10 (5 decimals).
    public let fee: Collateral
    public internal(set) var status: TradeStatus
    /// When the venue matched the trade (unix ms; see ``TradeObservation/matchedAtMillis``).
    public let matchedAtMillis: Int64
    /// When we first saw the trade (unix ms, our clock).
    public let firstSeenAtMillis: Int64
    /// When we saw the current ``status`` first (unix ms, our clock). For a voided fill, when
    /// we learned it FAILED.
    public internal(set) var statusChangedAtMillis: Int64

    public init(key: FillKey, sequence: Int64, market: String, token: TokenID, side: Side, role: Role, size: Shares, price: Price,
                fee: Collateral, status: TradeStatus, matchedAtMillis: Int64, firstSeenAtMillis: Int64, statusChangedAtMillis: Int64) {
        self.key = key
        self.sequence = sequence
        self.market = market
        self.token = token
        self.side = side
        self.role = role
        self.size = size
        self.price = price
        self.fee = fee
        self.status = status
        self.matchedAtMillis = matchedAtMillis
        self.firstSeenAtMillis = firstSeenAtMillis
        self.statusChangedAtMillis = statusChangedAtMillis
    }

    public var positionKey: PositionKey { PositionKey(market: market, token: token) }
    /// FAILED: the trade never happened; it has no effect anywhere.
    public var isVoided: Bool { status == .failed }
    public var isConfirmed: Bool { status == .confirmed }
    /// Not yet CONFIRMED and not voided: MATCHED, MINED, RETRYING or a status this build does not know.
    public var isProvisional: Bool { !status.isTerminal }
    /// `size × price` in pUSD micro-units, floored.
    public var notional: Collateral { Collateral.cost(of: size, at: price, rounding: .down) }
}
