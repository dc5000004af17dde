import Bus
import PolypipeCore

/// What came back about a strategy's own orders: exec-proc's order and cancel events, and
/// fill-proc's fills, in the strategy's terms (no protobuf past ``init(_:)-(Polypipe_Bus_V1_OrderEvent)``
/// and its siblings).
public enum StrategyFeedback: Sendable, Hashable {
    /// Where an order stands after an exec-proc event.
    public enum OrderState: Sendable, Hashable {
        /// The venue took it (resting, or matched on arrival).
        case accepted(orderID: String)
        /// It never reached the book or left it: rejected, refused, cancelled, a duplicate id.
        case ended(reason: String)
        /// Sent, answer unknown: exec-proc resolves it and says so later.
        case unknown
    }

    /// What a cancel request did.
    public enum CancelState: Sendable, Hashable {
        /// The venue cancelled every order asked for (or none rested).
        case done
        /// Some or all stayed: the venue said why (filled, not found).
        case failed
        /// No answer: the orders may still rest.
        case unknown
        /// Refused before sending (a malformed request, a repeated id).
        case refused
    }

    case order(actionID: String, state: OrderState)
    case cancel(requestID: String, state: CancelState, canceledOrderIDs: [String])
    /// A fill of one of our orders (a voided fill comes with `voided` true: take it back).
    case fill(tradeID: String, actionID: String, tokenID: String, side: Side, size: Shares, price: Price, voided: Bool)

    public init?(_ event: Polypipe_Bus_V1_OrderEvent) {
        switch event.outcome {
        case .accepted: self = .order(actionID: event.actionID, state: .accepted(orderID: event.orderID))
        case .unknown: self = .order(actionID: event.actionID, state: .unknown)
        case .rejected, .refused, .canceled, .duplicate, .dryRun:
            self = .order(actionID: event.actionID, state: .ended(reason: "\(event.outcome): \(event.reason)"))
        case .unspecified, .UNRECOGNIZED: return nil
        }
    }

    public init?(_ event: Polypipe_Bus_V1_CancelEvent) {
        let state: CancelState
        switch event.outcome {
        case .cancelDone: state = .done
        case .cancelPartial, .cancelFailed: state = .failed
        case .cancelUnknown: state = .unknown
        case .cancelRefused, .cancelDuplicate: state = .refused
        case .unspecified, .UNRECOGNIZED: return nil
        }
        self = .cancel(requestID: event.requestID, state: state, canceledOrderIDs: event.canceled)
    }

    public init?(_ fill: Polypipe_Bus_V1_Fill) {
        guard fill.side == .buy || fill.side == .sell, fill.settlement != .unspecified else { return nil }
        self = .fill(tradeID: fill.tradeID, actionID: fill.actionID, tokenID: fill.tokenID, side: fill.side == .buy ? .buy : .sell,
                     size: Shares(micros: fill.sizeMicros), price: Price(micros: fill.priceMicros), voided: fill.settlement == .failed)
    }
}
