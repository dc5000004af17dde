import Bus
import PolypipeCore

/// What a strategy that manages its orders asks exec-proc to do: place an order, replace one
/// of its orders with another, or take orders off the book. Each becomes one bus message on
/// exec-proc's actions socket (topics "action", "replace", "cancel"; `bus.proto`).
///
/// ```swift
/// .place(quote)                                           // Action
/// .replace(cancel: .action("mm-…-7"), place: newQuote, placeIfFilled: true)   // ReplaceRequest
/// .cancel(requestID: "mm-…-c9", target: .action("mm-…-8"), reason: "window ends")
/// ```
///
/// Ids follow the bus's rule: unique per decision, across restarts (exec-proc executes an id at
/// most once). A replace's id is its new order's action id.
public enum StrategyCommand: Sendable, Hashable {
    /// What a cancel takes off the book.
    public enum CancelTarget: Sendable, Hashable {
        /// The order placed for this action id.
        case action(String)
        /// One order by its id (the EIP-712 hash).
        case order(String)
        /// Every order of ours in this market (condition id); not a replace's target.
        case market(String)
    }

    case place(ActionProposal)
    /// Cancel one order (by action id or order id), then place `place` (exec-proc signs it only
    /// once the old order is off the book). `placeIfFilled`: place it also when the old order
    /// turns out to have been filled.
    case replace(cancel: CancelTarget, place: ActionProposal, placeIfFilled: Bool)
    case cancel(requestID: String, target: CancelTarget, reason: String)

    /// The id exec-proc answers this command under (an order event's `action_id`, or a cancel
    /// event's `request_id`).
    public var id: String {
        switch self {
        case .place(let proposal), .replace(_, let proposal, _): return proposal.id
        case .cancel(let requestID, _, _): return requestID
        }
    }

    /// The topic and the serialized bus message; `nowMillis` stamps a cancel's `created_at_ms`.
    public func busMessage(nowMillis: Int64) -> (topic: String, payload: [UInt8]) {
        switch self {
        case .place(let proposal):
            return (BusLayout.Topic.action, proposal.busMessage.busPayload)
        case .replace(let target, let proposal, let placeIfFilled):
            var request = Polypipe_Bus_V1_ReplaceRequest()
            switch target {
            case .action(let actionID): request.cancelActionID = actionID
            case .order(let orderID): request.cancelOrderID = orderID
            case .market: break  // no target: exec-proc refuses it
            }
            request.place = proposal.busMessage
            request.placeIfFilled = placeIfFilled
            return (BusLayout.Topic.replace, request.busPayload)
        case .cancel(let requestID, let target, let reason):
            var request = Polypipe_Bus_V1_CancelRequest()
            request.id = requestID
            switch target {
            case .action(let actionID): request.actionID = actionID
            case .order(let orderID): request.orderID = orderID
            case .market(let market): request.market = market
            }
            request.reason = reason
            request.createdAtMs = nowMillis
            return (BusLayout.Topic.cancel, request.busPayload)
        }
    }
}
