import Bus
import Fills
import PolypipeCore
import VenueClient
/// recon-proc's gathering of one cycle's inputs from what its peers publish: the paper book fed
/// by exec-proc's accepted actions, fill-proc's state (actual positions, order lifecycles), the
/// journal's open orders (exec-proc's snapshot) and the venue's open orders (its own read).
///
/// Paper positions follow the strategy's belief — each accepted action filled in full at its
/// expected price — corrected only by what the venue itself says about the *order*: an order
/// still resting counts with the size the venue reports matched (not yet a discrepancy), and
/// one that ended (cancelled, expired, rejected) with the size it filled. What is left to
/// disagree is what matters: fills the venue's trades do not show, ghost fills, orders that
/// filled without trades, and actions whose orders never appeared.
public struct ReconInputs {
    public private(set) var paper = PaperBook()
    /// Action ids accepted into the paper book, with their order ids.
    public private(set) var acceptedOrders: [String: OrderID] = [:]

    public init() {}

    /// exec-proc's order events: accepted actions enter the paper book (idempotent), their grace
    /// period counting from now — when the acceptance became known. Not from the send: an order
    /// whose answer was lost is accepted only when exec-proc finds it on the venue, seconds
    /// later, and fill-proc learns of its fills only after that.
    public mutating func apply(_ events: [Polypipe_Bus_V1_OrderEvent], nowMillis: Int64) {
        for event in events where event.outcome == .accepted {
            guard let token = try? TokenID(decimal: event.tokenID) else { continue }
            accept(actionID: event.actionID, orderID: OrderID(event.orderID), market: event.market, token: token,
                   side: event.side == .sell ? .sell : .buy, size: event.sizeMicros,
                   expected: event.expectedPriceMicros > 0 ? event.expectedPriceMicros : event.limitPriceMicros,
                   atMillis: nowMillis)
        }
    }

    /// fill-proc's orders the venue has shown (accepted by exec-proc, possibly before
    /// recon-proc started): any the paper book lacks enter it, from now; ended ones settle it at
    /// what they filled. An order still pending or submitted — its answer unknown, a 5xx that
    /// may not have placed it — is not an accepted action: it enters when the venue shows it.
    public mutating func apply(fillState state: Polypipe_Bus_V1_FillState, nowMillis: Int64) {
        for order in state.orders {
            guard !order.actionID.isEmpty, let token = try? TokenID(decimal: order.tokenID) else { continue }
            switch order.state {
            case .open, .matched, .filled, .cancelled, .expired: break
            case .pending, .submitted, .rejected, .unspecified, .UNRECOGNIZED: continue
            }
            accept(actionID: order.actionID, orderID: OrderID(order.orderID), market: order.market, token: token,
                   side: order.side == .sell ? .sell : .buy, size: order.sizeMicros,
                   expected: order.expectedPriceMicros > 0 ? order.expectedPriceMicros : order.limitPriceMicros,
                   atMillis: nowMillis)
        }
        for order in state.orders {
            switch order.state {
            case .cancelled, .expired, .rejected:
                paper.settle(actionID: order.actionID, filled: Shares(micros: order.matchedMicros), atMillis: order.updatedAtMs)
            case .filled:
                // Back to its full size, should a resting phase have settled it lower.
                paper.settle(actionID: order.actionID, filled: Shares(micros: order.sizeMicros), atMillis: order.updatedAtMs)
            default: break
            }
        }
    }

    /// The venue's open orders: a resting order counts in paper with what the venue says matched.
    public mutating func apply(venueOpenOrders orders: [OpenOrder], nowMillis: Int64) {
        let actionByOrder = Dictionary(acceptedOrders.map { ($0.value, $0.key) }, uniquingKeysWith: { first, _ in first })
        for order in orders {
            guard let actionID = actionByOrder[order.id] else { continue }
            paper.settle(actionID: actionID, filled: order.sizeMatched, atMillis: nowMillis)
        }
    }

    public mutating func resolve(market: String, winner: TokenID, atMillis: Int64) {
        paper.resolve(market: market, winner: winner, atMillis: atMillis)
    }

    private mutating func accept(actionID: String, orderID: OrderID, market: String, token: TokenID, side: Side, size: UInt64,
                                 expected: UInt64, atMillis: Int64) {
        guard acceptedOrders[actionID] == nil else { return }
        acceptedOrders[actionID] = orderID
        paper.accept(actionID: actionID, key: PositionKey(market: market, token: token), side: side, size: Shares(micros: size),
                     expectedPrice: Price(micros: expected), atMillis: atMillis)
    }

    // MARK: From the bus to the reconciler's types

    /// Actual positions from fill-proc's state (FAILED fills as ghost-fill candidates).
    public static func actualPositions(_ state: Polypipe_Bus_V1_FillState) -> [ActualPosition] {
        var failed: [PositionKey: [FailedFill]] = [:]
        for fill in state.fills where fill.settlement == .failed {
            guard let token = try? TokenID(decimal: fill.tokenID) else { continue }
            failed[PositionKey(market: fill.market, token: token), default: []].append(
                FailedFill(key: FillKey(tradeID: fill.tradeID, orderID: OrderID(fill.orderID)), side: fill.side == .sell ? .sell : .buy,
                           size: Shares(micros: fill.sizeMicros), price: Price(micros: fill.priceMicros), failedAtMillis: fill.settlementChangedAtMs))
        }
        return state.positions.compactMap { position in
            guard let token = try? TokenID(decimal: position.tokenID) else { return nil }
            let key = PositionKey(market: position.market, token: token)
            return ActualPosition(key: key, size: Signed(micros: position.sizeMicros), confirmedSize: Signed(micros: position.confirmedSizeMicros),
                                  averagePrice: Price(micros: position.averagePriceMicros), lastActivityMillis: position.lastActivityMs,
                                  failedFills: failed[key] ?? [])
        }
    }

    /// Orders the venue has shown signs of (placed, a status, a fill): not "never heard of".
    public static func venueKnownOrderIDs(_ state: Polypipe_Bus_V1_FillState) -> Set<OrderID> {
        let shown: [Polypipe_Bus_V1_OrderLifecycle] = [.open, .matched, .filled, .cancelled, .expired]
        return Set(state.orders.filter { shown.contains($0.state) }.map { OrderID($0.orderID) } + state.fills.map { OrderID($0.orderID) })
    }

    public static func journalOrders(_ snapshot: Polypipe_Bus_V1_Snapshot) -> [JournalOrder] {
        snapshot.openOrders.map { JournalOrder(orderID: OrderID($0.orderID), market: $0.market, createdAtMillis: $0.createdAtMs) }
    }
}
