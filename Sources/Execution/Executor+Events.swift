import Foundation
import Bus
import JournalStore
import VenueClient

/// How venue order statuses map onto journal states, and the bus events for an order.
extension Executor {
    /// Whether a venue order status says the taker delay still holds the order.
    static func isDelayed(_ venueStatus: VenueOrderStatus) -> Bool {
        venueStatus == .delayed
    }

    /// MATCHED → filled; any cancel, INVALID or UNMATCHED → canceled; anything else (LIVE,
    /// DELAYED, a status this build does not know) → accepted.
    static func journalState(venueStatus: VenueOrderStatus) -> Journal.State {
        if venueStatus == .matched { return .filled }
        if venueStatus.isCanceled { return .canceled }
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
