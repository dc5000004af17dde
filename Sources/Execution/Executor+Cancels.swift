import Bus
import PolypipeCore

/// Cancel requests from strategies (topic "cancel"): by order id, by action id, or every order
/// of one market.
///
/// Not implemented yet: every request is refused (``Polypipe_Bus_V1_CancelOutcome/cancelRefused``),
/// nothing is sent.
extension Executor {
    /// Executes one cancel request and publishes what it did (``onCancelEvent``).
    @discardableResult
    public func handle(_ request: Polypipe_Bus_V1_CancelRequest, receivedAtNanos: UInt64) -> Polypipe_Bus_V1_CancelEvent {
        var event = Polypipe_Bus_V1_CancelEvent()
        event.requestID = request.id
        event.outcome = .cancelRefused
        event.reason = "cancel requests are not supported by this exec-proc yet"
        event.atMs = clock()
        event.strategy = request.strategy
        onCancelEvent(event)
        return event
    }
}
