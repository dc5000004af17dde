import Bus
import PolypipeCore

/// Replace requests (topic "replace"): cancel one order, then place another as one decision.
///
/// Not implemented yet: every request is refused (an ``OrderReport`` for the new order with
/// outcome refused), nothing is cancelled or signed.
extension Executor {
    @discardableResult
    public func handle(_ request: Polypipe_Bus_V1_ReplaceRequest, receivedAtNanos: UInt64) -> Polypipe_Bus_V1_OrderEvent {
        let report = OrderReport(action: ExecAction(request.place), receivedAtNanos: receivedAtNanos)
        return Polypipe_Bus_V1_OrderEvent(refuse(report, because: "replace requests are not supported by this exec-proc yet"))
    }
}
