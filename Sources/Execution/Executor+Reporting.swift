import Foundation
import Logging
import JournalStore
import PolypipeCore
import VenueClient

/// How an action's or order's end (accepted, refused, rejected, …) is audited, logged and
/// published as an ``OrderReport``.
extension Executor {
    /// - Parameter settle: also move the journaled order to that state (an order signed and
    ///   journaled, then refused before it was sent).
    func refuse(_ report: OrderReport, because reason: String, settle: (state: Journal.State, reason: String)? = nil) -> OrderReport {
        var report = report
        counters.refused += 1
        report.outcome = .refused
        report.reason = reason
        return finish(report, audit: "refused", settle: settle)
    }

    /// - Parameter settle: also mark the journaled order rejected with `reason`.
    func reject(_ report: OrderReport, reason: String, settle: Bool = false) -> OrderReport {
        var report = report
        counters.rejected += 1
        report.outcome = .rejected
        report.reason = reason
        return finish(report, audit: "rejected", settle: settle ? (.rejected, reason) : nil)
    }

    /// Audits, logs and publishes `report`. With `settle`, the journaled order moves to that
    /// state in the same transaction as the audit line (a ``JournalCall/settlement`` call;
    /// otherwise an ``JournalCall/audit`` one). The report is published whatever the journal
    /// did: it says what the venue answered.
    func finish(_ report: OrderReport, audit decision: String,
                settle: (state: Journal.State, reason: String)? = nil) -> OrderReport {
        let actionID = report.actionID.isEmpty ? nil : report.actionID
        let detail = report.reason.isEmpty ? "order \(report.orderID) \(report.venueStatus)" : report.reason
        if let settle {
            journaled(.settlement, "mark order \(report.orderID) \(settle.state.rawValue)") {
                try journal.update(orderHash: report.orderID.description, to: settle.state, reason: settle.reason, nowMillis: clock(),
                                   audit: (actionID, decision, detail))
            }
        } else {
            journaled(.audit, "audit \(decision) of action \(report.actionID)") {
                try journal.audit(actionID: actionID, decision: decision, detail: detail, nowMillis: clock())
            }
        }
        recent.append(report)
        if recent.count > configuration.recentEventLimit { recent.removeFirst(recent.count - configuration.recentEventLimit) }
        let level: Logger.Level = report.outcome == .accepted || report.outcome == .dryRun ? .info : .notice
        logger.log(level: level, "action \(decision)", metadata: [
            "action": "\(report.actionID)", "order": "\(report.orderID)", "outcome": "\(report.outcome)",
            "reason": "\(report.reason)", "venue_status": "\(report.venueStatus)",
        ])
        publish(report)
        return report
    }

    func liveOrder(from entry: Journal.Entry) -> LiveOrder? {
        guard let json = try? JSONParser.parse(entry.body), let decoded = try? OrderPayload.decode(json) else { return nil }
        return LiveOrder(orderID: OrderID(entry.orderHash), actionID: entry.actionID, market: entry.market, order: decoded.order,
                         createdAtMillis: entry.createdAtMillis)
    }
}
