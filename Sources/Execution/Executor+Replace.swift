import Foundation
import JournalStore
import PolypipeCore
import VenueClient

/// Replace (topic "replace"): cancel one order, then place another, as one decision.
///
/// ```
/// replace id seen? → old order ours? → new action valid? → MARK → cancel old (CancelEvent,
///   request_id = the new action's id)
///   → venue confirmed cancelled (or, with place_if_filled, shows it filled)
///       → old exposure released → new order through the normal pipeline (replaces_order_id set)
///   → anything else (not cancelled, no answer, refused) → new order REFUSED naming why;
///       the old order stays tracked, its exposure counted
/// ```
///
/// Exposure never counts both orders, and both are never live: the new order is risk-checked
/// and signed only after the old one's exposure was released on the venue's confirmation.
extension Executor {
    /// What a replace asks, in exec-proc's terms (the bus edge builds it).
    public struct ReplaceOrder: Sendable, Hashable {
        /// The order to take off the book: ``CancelTarget/order(_:)`` or ``CancelTarget/action(_:)``.
        public var cancel: CancelTarget
        /// The order to place; its id is the replace's id.
        public var place: ExecAction
        /// Place the new order even when the old one turns out to be filled already.
        public var placeIfFilled: Bool

        public init(cancel: CancelTarget, place: ExecAction, placeIfFilled: Bool) {
            self.cancel = cancel
            self.place = place
            self.placeIfFilled = placeIfFilled
        }
    }

    /// Executes one replace: publishes a cancel report for the cancel half (``onCancelEvent``)
    /// and an order report for the new order (``onEvent``), and returns the latter.
    @discardableResult
    public func replace(_ request: ReplaceOrder, receivedAtNanos: UInt64) -> OrderReport {
        let place = request.place
        if case .market = request.cancel {
            return refuseReplace(place: place, because: "a replace cancels one order (cancel_order_id or cancel_action_id), not a market",
                                 receivedAtNanos: receivedAtNanos)
        }
        var report = OrderReport(action: place, receivedAtNanos: receivedAtNanos)
        var cancelReport = CancelReport(requestID: place.id, strategy: place.strategy, atMillis: clock())
        return replaceResolved(request, report: &report, cancelReport: &cancelReport)
    }

    /// Refuses both halves of a replace (nothing cancelled, nothing signed), publishing both
    /// events; the bus edge uses it for a request that names no single old order.
    @discardableResult
    public func refuseReplace(place: ExecAction, because why: String, receivedAtNanos: UInt64) -> OrderReport {
        var report = OrderReport(action: place, receivedAtNanos: receivedAtNanos)
        var cancelReport = CancelReport(requestID: place.id, strategy: place.strategy, atMillis: clock())
        return refuseBoth(why, report: &report, cancelReport: &cancelReport)
    }

    private func refuseBoth(_ why: String, report: inout OrderReport, cancelReport: inout CancelReport) -> OrderReport {
        _ = finishCancel(cancelReport, .refused, "replace refused: \(why); the old order was left as it is")
        return refuse(report, because: "replace refused: \(why)")
    }

    private func replaceResolved(_ request: ReplaceOrder, report: inout OrderReport, cancelReport: inout CancelReport) -> OrderReport {
        let place = request.place
        func refuseBoth(_ why: String) -> OrderReport { self.refuseBoth(why, report: &report, cancelReport: &cancelReport) }
        // At most once: a replace id marked before, or an order journaled for it.
        do {
            let marked = try journal.marked(.replaceRequest, key: place.id) != nil
            let placed = try journal.entry(actionID: place.id) != nil
            if marked || placed {
                counters.duplicates += 1
                _ = finishCancel(cancelReport, .duplicate, "replace id already executed")
                report.outcome = .duplicate
                report.reason = "replace id already executed"
                return finish(report, audit: "duplicate")
            }
        } catch {
            journalFailed(.lookup, "check replace \(place.id)", error)
            return refuseBoth("journal unavailable: cannot check the replace id (\(error))")
        }
        let old: OrderID
        switch resolve(request.cancel) {
        case .failure(let refusal): return refuseBoth(refusal.description)
        case .success(let ids):
            guard let id = ids?.first else { return refuseBoth("a replace cancels one order, not a market") }
            old = id
        }
        report.replacesOrderID = old
        // The new order must be placeable before the old one is taken off the book.
        do { _ = try ActionValidator.validate(place, catalog: catalog, nowMillis: clock()) } catch {
            return refuseBoth("invalid new order: \(error)")
        }
        guard journaled(.audit, "journal replace \(place.id)", {
            try journal.mark(.replaceRequest, key: place.id, detail: "cancel \(old) place \(place.id)", nowMillis: clock())
        }) != nil else {
            return refuseBoth("journal unavailable: the replace could not be journaled; nothing sent")
        }
        cancelReport = sendCancel(.order(old), asked: [old], report: cancelReport)
        let canceled = cancelReport.canceled.contains(old) || configuration.mode == .dryRun
        var why = ""
        if !canceled {
            why = cancelReport.notCanceled[old].map { "the venue did not cancel \(old): \($0)" } ?? "\(old): \(cancelReport.reason)"
        }
        cancelReport = finishCancel(cancelReport, cancelReport.outcome, "replace \(place.id): " + (canceled ? "old order cancelled" : why))
        if canceled { return handle(place, receivedAtNanos: report.receivedAtNanos, replacing: old) }
        if request.placeIfFilled, cancelReport.notCanceled[old] != nil, let filled = filledOnVenue(old), filled {
            return handle(place, receivedAtNanos: report.receivedAtNanos, replacing: old)
        }
        let tail = request.placeIfFilled ? "" : " (place_if_filled is false)"
        return refuse(report, because: "replace: old order not cancelled, new order not placed: \(why)\(tail)")
    }

    /// Whether the venue shows `id` fully filled (nil: it could not be read). A filled order is
    /// untracked here, its exposure now a position; resynchronization reads its trades.
    private func filledOnVenue(_ id: OrderID) -> Bool? {
        guard let order = try? venue.order(id: id) else { return nil }
        guard order.status == .matched || (order.sizeMatched >= order.originalSize) else { return false }
        if let current = tracked.remove(id) { releaseExposure(of: current.order, matched: current.order.shares) }
        restDeadlines.removeValue(forKey: id)
        journaled(.settlement, "mark order \(id) filled") {
            try journal.update(orderHash: id.description, to: .filled, reason: "filled before its replace's cancel", nowMillis: clock(), audit: nil)
        }
        return true
    }
}
