import Bus
import PolypipeCore

/// Batches (topic "batch"): up to 15 orders in one `POST /orders`.
///
/// Not implemented yet: every leg is refused, nothing is signed.
extension Executor {
    @discardableResult
    public func handle(_ batch: Polypipe_Bus_V1_ActionBatch, receivedAtNanos: UInt64) -> [Polypipe_Bus_V1_OrderEvent] {
        batch.actions.map { action in
            let report = OrderReport(action: ExecAction(action), receivedAtNanos: receivedAtNanos)
            return Polypipe_Bus_V1_OrderEvent(refuse(report, because: "batches are not supported by this exec-proc yet"))
        }
    }
}
