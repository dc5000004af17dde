import Bus
import PolypipeCore

/// Replaces and cancels from external models (topics "replace" and "cancel" on
/// `external.sock`), checked like actions (``ExternalAction``) before anything is forwarded.
extension ExternalAction {
    /// Decodes and checks one received message of any topic an external model may send:
    /// "action" (a placement), "replace" or "cancel".
    public static func acceptCommand(frames: [[UInt8]], receivedAtMillis: Int64) -> Result<StrategyCommand, Rejection> {
        let envelope: Envelope
        do { envelope = try Envelope(frames: frames) } catch { return .failure(.malformedEnvelope(error.description)) }
        switch envelope.topic {
        case BusLayout.Topic.action:
            return accept(frames: frames, receivedAtMillis: receivedAtMillis).map(StrategyCommand.place)
        case BusLayout.Topic.replace:
            let request: Polypipe_Bus_V1_ReplaceRequest
            do { request = try Polypipe_Bus_V1_ReplaceRequest(busPayload: envelope.payload, topic: envelope.topic) } catch {
                return .failure(.malformedPayload(error.description))
            }
            let target: StrategyCommand.CancelTarget
            switch (request.cancelActionID.isEmpty, request.cancelOrderID.isEmpty) {
            case (false, true): target = .action(request.cancelActionID)
            case (true, false): target = .order(request.cancelOrderID)
            default: return .failure(.cancelTarget("a replace names exactly one of cancel_action_id and cancel_order_id"))
            }
            return validate(request.place, source: envelope.source, receivedAtMillis: receivedAtMillis)
                .map { .replace(cancel: target, place: $0, placeIfFilled: request.placeIfFilled) }
        case BusLayout.Topic.cancel:
            let request: Polypipe_Bus_V1_CancelRequest
            do { request = try Polypipe_Bus_V1_CancelRequest(busPayload: envelope.payload, topic: envelope.topic) } catch {
                return .failure(.malformedPayload(error.description))
            }
            guard !request.id.isEmpty else { return .failure(.missingID) }
            let targets: [StrategyCommand.CancelTarget] = [
                request.actionID.isEmpty ? nil : .action(request.actionID),
                request.orderID.isEmpty ? nil : .order(request.orderID),
                request.market.isEmpty ? nil : .market(request.market),
            ].compactMap { $0 }
            guard targets.count == 1, let target = targets.first else {
                return .failure(.cancelTarget("a cancel names exactly one of order_id, action_id and market"))
            }
            guard request.tokenID.isEmpty else { return .failure(.cancelTarget("token_id is not forwarded: cancel by market, order or action")) }
            return .success(.cancel(requestID: request.id, target: target, reason: request.reason.isEmpty ? "external" : request.reason))
        default:
            return .failure(.wrongTopic(envelope.topic))
        }
    }
}
