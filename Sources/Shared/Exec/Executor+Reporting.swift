import Foundation

/// How venue order statuses map onto journal states, and the bus events for an order.
extension Executor {
    /// Whether a venue order status says the taker delay still holds the order.
    static func isDelayed(_ venueStatus: String) -> Bool {
        let status = venueStatus.uppercased()
        return status == "DELAYED" || status == "ORDER_STATUS_DELAYED"
    }

    static func journalState(venueStatus: String) -> Journal.State {
        let status = venueStatus.uppercased()
        if status == "MATCHED" { return .filled }
        if status.hasPrefix("CANCELED") || status == "INVALID" || status == "UNMATCHED" { return .canceled }
        return .accepted
    }

    /// The event for a journaled order settled later (no action at hand: only the order's own terms).
    static func event(for order: LiveOrder, actionID: String) -> Polypipe_Bus_V1_OrderEvent {
        var event = Polypipe_Bus_V1_OrderEvent()
        event.actionID = actionID
        event.orderID = order.orderID
        event.market = order.market
        event.tokenID = order.token.description
        event.side = order.side == .buy ? .buy : .sell
        event.sizeMicros = order.shares
        event.limitPriceMicros = order.price.micros
        return event
    }

    static func event(for action: Polypipe_Bus_V1_Action, receivedAtNanos: UInt64) -> Polypipe_Bus_V1_OrderEvent {
        var event = Polypipe_Bus_V1_OrderEvent()
        event.actionID = action.id
        event.market = action.market
        event.tokenID = action.tokenID
        event.side = action.side
        event.sizeMicros = action.sizeMicros
        event.limitPriceMicros = action.limitPriceMicros
        event.expectedPriceMicros = action.expectedPriceMicros
        event.actionCreatedAtMs = action.createdAtMs
        event.receivedAtNs = receivedAtNanos
        event.strategy = action.strategy
        return event
    }
}
