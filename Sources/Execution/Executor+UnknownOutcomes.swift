import Foundation
import Logging
import VenueClient

/// Orders sent with no proof either way: resolved by their order id, sent again (same bytes)
/// at most once while their action holds, declared absent after the grace period, and tracked
/// again when the venue lists them late.
extension Executor {
    // MARK: Unknown outcomes

    /// Asks the venue about every order whose outcome is unknown. Found: accepted (or its final
    /// state). Not found: sent again once (identical bytes), then `absent` after the grace period.
    public func resolvePending() {
        guard configuration.mode != .dryRun else { return }
        for (orderID, item) in pending {
            let now = clock()
            let found: OpenOrder?
            do { found = try venue.order(id: orderID) } catch {
                logger.warning("cannot look up an unknown order yet", metadata: ["order": "\(orderID)", "error": "\(error)"])
                continue
            }
            var event = Self.event(for: item.order, actionID: item.entry.actionID)
            if let found {
                let state = Self.journalState(venueStatus: found.status)
                try? journal.update(orderHash: orderID, to: state, reason: "resolved: \(found.statusText)", nowMillis: now)
                if state == .accepted { live[orderID.lowercased()] = item.order }
                pending[orderID] = nil
                if state != .canceled { counters.accepted += 1 }
                event.outcome = state == .canceled ? .canceled : .accepted
                event.venueStatus = found.statusText
                event.reason = "unknown outcome resolved by order id"
                _ = finish(event, audit: "resolved")
            } else if now - item.entry.createdAtMillis >= configuration.unknownGraceMillis {
                try? journal.update(orderHash: orderID, to: .absent, reason: "not on the venue \(configuration.unknownGraceMillis / 1000) s after signing", nowMillis: now)
                pending[orderID] = nil
                releaseExposure(of: item.order, matched: 0)
                event.outcome = .canceled
                event.reason = "never reached the venue (absent after \(configuration.unknownGraceMillis / 1000) s)"
                _ = finish(event, audit: "absent")
            } else if !item.resent && now - item.entry.createdAtMillis >= configuration.resendAfterMillis {
                pending[orderID]?.resent = true
                guard item.entry.isCurrent(atMillis: now) else {
                    // Stale: the strategy's price is no longer meant. Wait out the grace period
                    // (a late appearance is still matched), but never place it now (CR-02).
                    logger.notice("unknown order not on the venue and its action has expired; not sending it again",
                                  metadata: ["order": "\(orderID)", "action": "\(item.entry.actionID)"])
                    try? journal.audit(actionID: item.entry.actionID, decision: "not-resent",
                                       detail: "order \(orderID) not on the venue; action expired at \(item.entry.expiresAtMillis.map(String.init) ?? "unknown")",
                                       nowMillis: now)
                    continue
                }
                // The resend draws on the signer's order bucket too, without waiting: no token now,
                // the next look decides again.
                if let admission = venue.rateLimits?.admit(.orders, cost: 1, notAfterMillis: item.entry.expiresAtMillis), admission != .go {
                    pending[orderID]?.resent = false
                    continue
                }
                logger.info("unknown order not on the venue; sending the same bytes again", metadata: ["order": "\(orderID)"])
                switch venue.postOrder(body: item.entry.body) {
                case .accepted(let acceptance):
                    try? journal.update(orderHash: orderID, to: .accepted, reason: acceptance.statusText, nowMillis: clock())
                    live[orderID.lowercased()] = item.order
                    if acceptance.status == .delayed { delayedSince[orderID.lowercased()] = clock() }
                    pending[orderID] = nil
                    counters.accepted += 1
                    event.outcome = .accepted
                    event.venueStatus = acceptance.statusText
                    _ = finish(event, audit: "accepted-on-resend")
                case .rejected(let rejection) where rejection.kind == .duplicated:
                    break  // it is there after all; the next lookup finds it
                case .rejected(let rejection):
                    pending[orderID] = nil
                    releaseExposure(of: item.order, matched: 0)
                    _ = reject(event, reason: rejection.message, settle: true)
                case .refused, .unknown:
                    break  // still no proof; keep asking
                }
            }
        }
    }

    /// Orders whose outcome is still unknown.
    public var unknownCount: Int { pending.count }

    /// An order the journal gave up on (`absent`) that the venue now lists after all — a
    /// request the venue held for longer than the grace period: it is ours and live again, so
    /// it is tracked, counted and announced like any accepted order, never left as an orphan.
    func adoptLateArrival(_ venueOrder: OpenOrder, nowMillis: Int64) {
        guard let entry = try? journal.entry(orderHash: venueOrder.id.lowercased()), entry.state == .absent,
              let order = liveOrder(from: entry) else { return }
        live[venueOrder.id.lowercased()] = order
        counters.accepted += 1
        var event = Self.event(for: order, actionID: entry.actionID)
        event.outcome = .accepted
        event.venueStatus = venueOrder.statusText
        event.reason = "declared absent, then listed by the venue: tracked again"
        logger.warning("an order declared absent appeared on the venue; tracking it again",
                       metadata: ["order": "\(entry.orderHash)", "action": "\(entry.actionID)"])
        _ = finish(event, audit: "late-arrival", settle: (.accepted, "appeared late: \(venueOrder.statusText)"))
    }
}
