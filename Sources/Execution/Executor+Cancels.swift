import Foundation
import Logging
import JournalStore
import PolypipeCore
import VenueClient

/// Targeted cancels: one order (by id or by the action that placed it) or every order of ours in
/// a market. Strategies ask on topic "cancel" (the bus edge maps the request, see
/// `Executor+Bus.swift`), operators with `polypipe cancel`, and the executor itself for a
/// replace's cancel half (`Executor+Replace.swift`) and resting lifetimes
/// (`Executor+Lifetimes.swift`). Allowed in every trading state, halted included: a cancel only
/// lowers risk.
///
/// ```
/// request id seen? → target resolved (ours?) → orders in flight answered → MARK/AUDIT → DELETE
///   → canceled: journal canceled, exposure released, untracked, order event CANCELED
///   → not_canceled: reported, nothing changes (already matched: its fill will come, CAN-02)
///   → no answer: CANCEL_UNKNOWN, every order stays tracked (CAN-04; asking again is safe)
/// ```
///
/// Cancels draw on the signer's cancel bucket (the venue client paces them), never on the order
/// bucket, so they never wait behind orders.
extension Executor {
    /// Cancels `target` and publishes what happened (``onCancelEvent``).
    /// - Parameters:
    ///   - requestID: a strategy's request id, executed at most once across restarts (journaled
    ///     as a ``Journal/Mark/cancelRequest`` before anything is sent); nil for operator
    ///     commands, which are audited only.
    ///   - reason: why (audit log and event).
    @discardableResult
    public func cancel(_ target: CancelTarget, requestID: String?, reason: String, strategy: String = "") -> CancelReport {
        var report = CancelReport(requestID: requestID ?? "", strategy: strategy, atMillis: clock())
        if let requestID {
            if requestID.isEmpty { return finishCancel(report, .refused, "id is empty") }
            do {
                if let earlier = try journal.marked(.cancelRequest, key: requestID) {
                    return finishCancel(report, .duplicate, "cancel request id already executed (\(earlier))")
                }
            } catch {
                journalFailed(.lookup, "check cancel request \(requestID)", error)
                return finishCancel(report, .refused, "journal unavailable: cannot check the request id (\(error)); nothing sent")
            }
        }
        let asked: [OrderID]?
        switch resolve(target) {
        case .failure(let refusal): return finishCancel(report, .refused, refusal.description)
        case .success(let ids): asked = ids
        }
        let detail = "\(target) reason \(reason)"
        if let requestID {
            guard journaled(.audit, "journal cancel request \(requestID)", {
                try journal.mark(.cancelRequest, key: requestID, detail: detail, nowMillis: clock())
            }) != nil else {
                return finishCancel(report, .refused, "journal unavailable: the request could not be journaled; nothing sent")
            }
        } else {
            journaled(.audit, "audit cancel of \(target)") { try journal.audit(actionID: nil, decision: "cancel", detail: detail, nowMillis: clock()) }
        }
        report = sendCancel(target, asked: asked, report: report)
        return finishCancel(report, report.outcome, report.reason.isEmpty ? reason : "\(reason): \(report.reason)")
    }

    /// The orders `target` names, checked to be ours; nil for a whole market.
    func resolve(_ target: CancelTarget) -> Result<[OrderID]?, CancelTarget.Refusal> {
        let orderID: OrderID
        switch target {
        case .market: return .success(nil)
        case .order(let id):
            orderID = id
        case .action(let actionID):
            do {
                guard let entry = try journal.entry(actionID: actionID) else {
                    return .failure(.init("no order was placed for action \(actionID)"))
                }
                orderID = OrderID(entry.orderHash)
            } catch {
                journalFailed(.lookup, "read the order of action \(actionID)", error)
                return .failure(.init("journal unavailable: cannot find the order of action \(actionID) (\(error))"))
            }
        }
        if tracked[orderID] != nil { return .success([orderID]) }
        do {
            guard try journal.entry(orderHash: orderID.description) != nil else {
                return .failure(.init("order \(orderID) is not an order of this exec-proc"))
            }
        } catch {
            journalFailed(.lookup, "read order \(orderID)", error)
            return .failure(.init("journal unavailable: cannot check order \(orderID) (\(error))"))
        }
        return .success([orderID])
    }

    /// Sends the cancel (after the orders it concerns have their placement answers) and applies
    /// the venue's answer. The report comes back with outcome, ids and the venue's reasons.
    func sendCancel(_ target: CancelTarget, asked: [OrderID]?, report: CancelReport) -> CancelReport {
        var report = report
        guard configuration.mode != .dryRun else {
            report.outcome = .done
            report.reason = "dry-run: nothing sent (dry-run orders never reach the venue)"
            return report
        }
        // An order still on its way would be missed by the cancel (or land after it): wait for
        // its answer first.
        let concerned: (TrackedOrders.Tracked) -> Bool = { tracked in
            switch target {
            case .market(let market, let token): tracked.order.market.lowercased() == market && (token == nil || tracked.order.token == token)
            case .order, .action: asked?.contains(tracked.order.orderID) ?? false
            }
        }
        if tracked.all.contains(where: { if case .inFlight = $0.state { concerned($0) } else { false } }) {
            drainInFlight(timeoutMillis: configuration.drainTimeoutMillis)
        }
        let result: CancelResult
        do {
            switch target {
            case .market(let market, let token): result = try venue.cancelMarket(conditionID: market, tokenID: token)
            case .order, .action:
                let ids = asked ?? []
                result = try ids.count == 1 ? venue.cancel(orderID: ids[0]) : venue.cancel(orderIDs: ids)
            }
        } catch {
            // Only a failure that proves the venue did not apply the cancel is a failure.
            let provesNotApplied = (error as Any as? ClobError)?.provesNotApplied ?? false
            report.outcome = provesNotApplied ? .failed : .unknown
            report.reason = provesNotApplied
                ? "the venue refused the cancel: \(error)"
                : "no answer from the venue (\(error)): the orders stay tracked until the venue shows them"
            return report
        }
        report.canceled = result.canceled
        report.notCanceled = result.notCanceled
        report.outcome = CancelReport.outcome(canceled: result.canceled, notCanceled: result.notCanceled, asked: asked)
        if report.outcome == .unknown { report.reason = "the venue's answer names neither cancelled nor refused orders" }
        for id in result.canceled { settleCanceled(id, reason: "canceled: \(target)") }
        return report
    }

    /// The venue confirmed `id` cancelled: journal canceled, exposure released, untracked, and an
    /// order event CANCELED. `byCancelAll`: counted with the cancel-all's own count instead.
    func settleCanceled(_ id: OrderID, reason: String, byCancelAll: Bool = false) {
        restDeadlines.removeValue(forKey: id)
        restChecked.remove(id)
        guard let current = tracked.remove(id) else {
            journaled(.settlement, "mark order \(id) canceled") {
                try journal.update(orderHash: id.description, to: .canceled, reason: reason, nowMillis: clock(), audit: nil)
            }
            return
        }
        releaseExposure(of: current.order, matched: 0)
        if !byCancelAll { counters.canceled += 1 }
        var event = OrderReport(order: current.order)
        event.outcome = .canceled
        event.reason = reason
        _ = finish(event, audit: "canceled", settle: (.canceled, reason))
    }

    /// Logs and publishes a cancel report with its final outcome and reason.
    func finishCancel(_ report: CancelReport, _ outcome: CancelReport.Outcome, _ reason: String) -> CancelReport {
        var report = report
        report.outcome = outcome
        report.reason = reason
        let level: Logger.Level = outcome == .done || outcome == .partial ? .info : .notice
        logger.log(level: level, "cancel", metadata: [
            "request": "\(report.requestID)", "outcome": "\(outcome)", "canceled": "\(report.canceled.count)",
            "not_canceled": "\(report.notCanceled.map { "\($0.key): \($0.value)" }.sorted())", "reason": "\(reason)",
        ])
        publish(report)
        return report
    }
}
