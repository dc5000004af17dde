import Bus
import PolypipeCore

/// What a strategy that manages its orders asks exec-proc to do: place an order, replace one
/// of its orders with another, or take orders off the book. Each becomes one bus message on
/// exec-proc's actions socket (topics "action", "replace", "cancel"; `bus.proto`).
///
/// ```swift
/// .place(quote)                                           // Action
/// .replace(cancelActionID: "mm-…-7", place: newQuote)     // ReplaceRequest
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
        /// Every order of ours in this market (condition id).
        case market(String)
    }

    case place(ActionProposal)
    /// Cancel the order of `cancelActionID`, then place `place` (exec-proc signs it only once
    /// the old order is off the book). `placeIfFilled`: place it also when the old order turns
    /// out to have been filled.
    case replace(cancelActionID: String, place: ActionProposal, placeIfFilled: Bool)
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
        case .replace(let cancelActionID, let proposal, let placeIfFilled):
            var request = Polypipe_Bus_V1_ReplaceRequest()
            request.cancelActionID = cancelActionID
            request.place = proposal.busMessage
            request.placeIfFilled = placeIfFilled
            return (BusLayout.Topic.replace, request.busPayload)
        case .cancel(let requestID, let target, let reason):
            var request = Polypipe_Bus_V1_CancelRequest()
            request.id = requestID
            switch target {
            case .action(let actionID): request.actionID = actionID
            case .market(let market): request.market = market
            }
            request.reason = reason
            request.createdAtMs = nowMillis
            return (BusLayout.Topic.cancel, request.busPayload)
        }
    }
}
