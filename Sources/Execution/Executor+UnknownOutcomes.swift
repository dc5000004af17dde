import PolypipeCore
import Foundation
import Logging
import VenueClient

/// Orders sent with no proof either way: resolved by their order id, sent again (same bytes)
/// at most once while their action holds, declared absent after the grace period, and tracked
/// again when the venue lists them late.
extension Executor {
    // MARK: Unknown outcomes

    /// Asks the venue about every order whose outcome is unknown and applies
    /// ``VenueReconciler/unknown(found:ageMillis:unresolved:nowMillis:graceMillis:resendAfterMillis:)``:
    /// found → its state; not found → sent again once (identical bytes) while its action holds,
    /// then `absent` after the grace period.
    public func resolvePending() {
        guard configuration.mode != .dryRun else { return }
        for (order, unresolved) in tracked.unknown {
            let orderID = order.orderID
            let now = clock()
            let found: OpenOrder?
            do { found = try venue.order(id: orderID) } catch {
                logger.warning("cannot look up an unknown order yet", metadata: ["order": "\(orderID)", "error": "\(error)"])
                continue
            }
            var report = OrderReport(order: order)
            switch VenueReconciler.unknown(found: found?.status, ageMillis: now - order.createdAtMillis, unresolved: unresolved,
                                           nowMillis: now, graceMillis: configuration.unknownGraceMillis,
                                           resendAfterMillis: configuration.resendAfterMillis) {
            case .resolved(let state):
                let status = found?.statusText ?? ""
                journaled(.settlement, "mark unknown order \(orderID) \(state.rawValue)") {
                    try journal.update(orderHash: orderID.description, to: state, reason: "resolved: \(status)", nowMillis: now, audit: nil)
                }
                if state == .accepted { tracked.accepted(order) } else { tracked.remove(orderID) }
                if state != .canceled { counters.accepted += 1 }
                report.outcome = state == .canceled ? .canceled : .accepted
                report.venueStatus = status
                report.reason = "unknown outcome resolved by order id"
                _ = finish(report, audit: "resolved")
            case .absent:
                journaled(.settlement, "mark unknown order \(orderID) absent") {
                    try journal.update(orderHash: orderID.description, to: .absent, reason: "not on the venue \(configuration.unknownGraceMillis / 1000) s after signing",
                                       nowMillis: now, audit: nil)
                }
                tracked.remove(orderID)
                releaseExposure(of: order, matched: 0)
                report.outcome = .canceled
                report.reason = "never reached the venue (absent after \(configuration.unknownGraceMillis / 1000) s)"
                _ = finish(report, audit: "absent")
            case .expired:
                // Stale: the strategy's price is no longer meant. Wait out the grace period
                // (a late appearance is still matched), but never place it now (CR-02).
                tracked.markResent(orderID)
                logger.notice("unknown order not on the venue and its action has expired; not sending it again",
                              metadata: ["order": "\(orderID)", "action": "\(order.actionID)"])
                journaled(.audit, "audit not-resent of order \(orderID)") {
                    try journal.audit(actionID: order.actionID, decision: "not-resent",
                                      detail: "order \(orderID) not on the venue; action expired at \(unresolved.expiresAtMillis.map(String.init) ?? "unknown")",
                                      nowMillis: now)
                }
            case .resend:
                resendOnce(order, unresolved, report: report)
            case .wait:
                break
            }
        }
    }

    /// Sends an unknown order's journaled bytes a second time — the same order, the same hash:
    /// the venue refuses a duplicate.
    private func resendOnce(_ order: LiveOrder, _ unresolved: TrackedOrders.Unresolved, report: OrderReport) {
        let orderID = order.orderID
        var report = report
        // Halted: nothing new goes on the book, not even a resend (the kill switch has just
        // cancelled what rested). The order stays unknown until a lookup finds it or the grace ends.
        guard risk.state != .halted else { return }
        tracked.markResent(orderID)
        // The resend draws on the signer's order bucket too, without waiting: no token now,
        // the next look decides again.
        if let admission = venue.rateLimits?.admit(.orders, cost: 1, notAfterMillis: unresolved.expiresAtMillis), admission != .go {
            tracked.markResent(orderID, false)
            return
        }
        logger.info("unknown order not on the venue; sending the same bytes again", metadata: ["order": "\(orderID)"])
        switch venue.postOrder(body: unresolved.body) {
        case .accepted(let acceptance):
            journaled(.settlement, "mark resent order \(orderID) accepted") {
                try journal.update(orderHash: orderID.description, to: .accepted, reason: acceptance.statusText, nowMillis: clock(), audit: nil)
            }
            tracked.accepted(order, delayedSinceMillis: acceptance.status == .delayed ? clock() : nil)
            counters.accepted += 1
            report.outcome = .accepted
            report.venueStatus = acceptance.statusText
            _ = finish(report, audit: "accepted-on-resend")
        case .rejected(let rejection) where rejection.kind == .duplicated:
            break  // it is there after all; the next lookup finds it
        case .rejected(let rejection):
            tracked.remove(orderID)
            releaseExposure(of: order, matched: 0)
            _ = reject(report, reason: rejection.message, settle: true)
        case .refused, .unknown:
            break  // still no proof; keep asking
        }
    }

    /// An order the journal gave up on (`absent`) that the venue now lists after all — a
    /// request the venue held for longer than the grace period: it is ours and live again, so
    /// it is tracked, counted and announced like any accepted order, never left as an orphan.
    func adoptLateArrival(_ venueOrder: OpenOrder, nowMillis: Int64) {
        let lookup = journaled(.lookup, "look up venue order \(venueOrder.id)") { try journal.entry(orderHash: venueOrder.id.description) }
        guard let entry = lookup ?? nil, entry.state == .absent, let order = liveOrder(from: entry) else { return }
        tracked.accepted(order)
        counters.accepted += 1
        var report = OrderReport(order: order)
        report.outcome = .accepted
        report.venueStatus = venueOrder.statusText
        report.reason = "declared absent, then listed by the venue: tracked again"
        logger.warning("an order declared absent appeared on the venue; tracking it again",
                       metadata: ["order": "\(entry.orderHash)", "action": "\(entry.actionID)"])
        _ = finish(report, audit: "late-arrival", settle: (.accepted, "appeared late: \(venueOrder.statusText)"))
    }
}
