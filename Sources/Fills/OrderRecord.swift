import PolypipeCore
/// One of our orders as fill tracking sees it: what was asked, where it stands, how much filled.
///
/// Built from exec-proc's order event (the signed order's own amounts, not the strategy's
/// words) and kept current by ``FillLedger``.
public struct OrderRecord: Sendable, Hashable {
    /// The order hash (`0x…`), the venue's order id.
    public let orderID: OrderID
    public let actionID: String
    public let market: String
    public let token: TokenID
    public let side: Side
    /// Shares ordered (micro-units).
    public let size: Shares
    public let limitPrice: Price
    /// The action's expected fill price, the reference for slippage; nil when unknown.
    public let expectedPrice: Price?
    /// When the order was made (unix ms).
    public let createdAtMillis: Int64
    /// When it was first sent (unix ms): the start of fill latency.
    public internal(set) var submittedAtMillis: Int64?
    /// The latest event-driven stage (PENDING, SUBMITTED, OPEN or a terminal one); see ``state``.
    public internal(set) var stage: OrderState
    /// The venue's reason for a rejection, if any.
    public internal(set) var reason: String?
    /// Shares filled by surviving (not voided) fills.
    public internal(set) var filled: Shares
    /// Latest change (unix ms).
    public internal(set) var updatedAtMillis: Int64

    public init(orderID: OrderID, actionID: String, market: String, token: TokenID, side: Side, size: Shares, limitPrice: Price,
                expectedPrice: Price?, createdAtMillis: Int64, submittedAtMillis: Int64? = nil, stage: OrderState = .pending,
                reason: String? = nil, filled: Shares = Shares(micros: 0), updatedAtMillis: Int64? = nil) {
        self.orderID = orderID
        self.actionID = actionID
        self.market = market
        self.token = token
        self.side = side
        self.size = size
        self.limitPrice = limitPrice
        self.expectedPrice = expectedPrice
        self.createdAtMillis = createdAtMillis
        self.submittedAtMillis = submittedAtMillis
        self.stage = stage
        self.reason = reason
        self.filled = filled
        self.updatedAtMillis = updatedAtMillis ?? createdAtMillis
    }

    /// The order's state: FILLED once surviving fills reach its size; otherwise a cancel,
    /// expiry or rejection (a partly filled order that was cancelled is CANCELLED, with
    /// ``filled`` telling how much traded; a "rejected" order that has fills was not rejected,
    /// and is MATCHED); otherwise MATCHED when anything filled; otherwise its stage.
    public var state: OrderState {
        if filled.micros > 0, filled >= size { return .filled }
        if stage == .rejected, filled.micros > 0 { return .matched }
        if stage.isTerminal { return stage }
        return filled.micros > 0 ? .matched : stage
    }

    /// Shares not filled yet (0 when filled or beyond).
    public var remaining: Shares { Shares(micros: size.micros - min(size.micros, filled.micros)) }

    /// Applies an event; false when it changes nothing (a stage never goes back: a late
    /// SUBMITTED after OPEN is stale, and nothing moves a cancelled, rejected or expired order).
    mutating func apply(_ event: OrderEvent, atMillis: Int64) -> Bool {
        var changed = false
        let next: OrderState
        switch event {
        case .submitted:
            if submittedAtMillis.map({ atMillis < $0 }) ?? true { submittedAtMillis = atMillis; changed = true }
            next = .submitted
        case .accepted: next = .open
        case .rejected(let why):
            next = .rejected
            if stage.stageRank < OrderState.rejected.stageRank { reason = why }
        case .cancelled: next = .cancelled
        case .expired: next = .expired
        case .venueStatus(let status):
            guard let mapped = OrderEvent(venueStatus: status) else { return false }
            return apply(mapped, atMillis: atMillis)
        }
        if next.stageRank > stage.stageRank {
            stage = next
            changed = true
        }
        if changed { updatedAtMillis = max(updatedAtMillis, atMillis) }
        return changed
    }
}
