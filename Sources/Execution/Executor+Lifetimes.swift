import Foundation
import JournalStore
import PolypipeCore

/// Resting lifetimes (`Action.max_rest_ms`): once the venue accepted an order and it has rested
/// that long, exec-proc cancels it itself (a ``CancelReport`` with reason "lifetime").
///
/// The lifetime is journaled as a ``Journal/Mark/restLimit`` before the order is sent
/// (`Executor+Pipeline.swift`, step 7b), so it survives a restart:
/// - accepted by this process: the deadline is the acceptance time + the lifetime;
/// - adopted from the journal (startup, an unknown outcome resolved live): the journal's signing
///   time + the lifetime (signing precedes acceptance by one round trip, so at most that early).
///
/// A cancel with no answer is tried again a second later (a cancel is idempotent); a cancel the
/// venue refused ("Order already matched") ends the lifetime: the order is left to its fills.
extension Executor {
    /// How long after an unanswered lifetime cancel it is tried again.
    static let lifetimeRetryMillis: Int64 = 1_000

    /// Cancels every live order whose resting lifetime has run out (exec-proc's loop calls it
    /// periodically). Returns the reports of the cancels it made.
    @discardableResult
    public func enforceRestLifetimes() -> [CancelReport] {
        let now = clock()
        adoptRestLifetimes()
        var reports: [CancelReport] = []
        for (id, deadline) in restDeadlines.sorted(by: { $0.value < $1.value }) where deadline <= now {
            guard let current = tracked[id] else {
                restDeadlines.removeValue(forKey: id)
                continue
            }
            // Unknown or in flight: wait for the venue to show it; delayed: not cancellable yet.
            guard case .live(nil) = current.state else { continue }
            var report = CancelReport(requestID: "lifetime:\(current.order.actionID)", atMillis: now)
            journaled(.audit, "audit lifetime cancel of \(id)") {
                try journal.audit(actionID: current.order.actionID, decision: "lifetime",
                                  detail: "order \(id) rested past its lifetime (deadline \(deadline))", nowMillis: now)
            }
            report = sendCancel(.order(id), asked: [id], report: report)
            switch report.outcome {
            case .unknown: restDeadlines[id] = now + Self.lifetimeRetryMillis
            default: restDeadlines.removeValue(forKey: id)
            }
            let detail = report.reason.isEmpty ? "lifetime" : "lifetime: \(report.reason)"
            reports.append(finishCancel(report, report.outcome, detail))
        }
        return reports
    }

    /// Looks up, once per order, the lifetime of live orders this process did not accept itself.
    private func adoptRestLifetimes() {
        restChecked = restChecked.filter { tracked[$0] != nil }
        for order in tracked.live.values where !restChecked.contains(order.orderID) {
            let detail: String?
            do { detail = try journal.marked(.restLimit, key: order.actionID) } catch {
                journalFailed(.lookup, "read the resting lifetime of action \(order.actionID)", error)
                return  // tried again at the next check
            }
            restChecked.insert(order.orderID)
            if let detail, let millis = Int64(detail), millis > 0 {
                restDeadlines[order.orderID] = order.createdAtMillis + millis
            }
        }
    }
}
