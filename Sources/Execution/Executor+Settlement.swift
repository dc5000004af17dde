import Foundation
import Logging
import PolypipeCore
import VenueClient

/// Settling the venue's answer to a submitted order: the one place a ``SubmitOutcome`` becomes
/// a tracked state, a journal state and a bus report.
///
/// | Answer | Tracked | Journal | Exposure |
/// |---|---|---|---|
/// | accepted, our id | live (matched: not tracked) | accepted / filled | kept |
/// | accepted, another id | — | unknown; trading halts (SUB-08) | kept (never declared absent) |
/// | rejected `order_version_mismatch` (first time) | — | rejected, then re-signed once | kept for the re-sign |
/// | rejected | — | rejected | given back |
/// | refused (proven not placed) | — | rejected | given back |
/// | unknown | unknown | unknown | kept, full size |
///
/// - Important: `unknown` is never `rejected`: only a venue answer that proves it is.
extension Executor {
    /// Settles a sent order with the venue's answer.
    /// - Parameter pacing: set when the order was never sent because the signer's order bucket
    ///   had no token before its action's expiry (spec §6.1: refused as stale, never sent
    ///   late), or a cancel-all withdrew it while it waited.
    func conclude(_ sent: Submission, outcome: SubmitOutcome, sentAtNanos: UInt64, answeredAtNanos: UInt64,
                  pacing: RateLimitPacer.Admission? = nil) -> OrderReport {
        let (action, proposal, orderID) = (sent.action, sent.proposal, sent.orderID)
        var report = sent.report
        tracked.remove(orderID)  // in flight until now, if it went through the sender
        if let pacing {
            risk.undo(proposal)
            counters.refused += 1
            report.outcome = .refused
            report.reason = "rate limit: \(pacing)"
            return finish(report, audit: pacing == .withdrawn ? "withdrawn" : "stale", settle: (.rejected, "not sent: \(pacing)"))
        }
        lastSentAtNanos = sentAtNanos
        report.sentAtNanos = sentAtNanos
        report.answeredAtNanos = answeredAtNanos
        let after = clock()
        switch outcome {
        case .accepted(let acceptance) where acceptance.orderID != orderID:
            // The venue placed *something* under another id: it hashes our order differently
            // (domain, contract, struct), so nothing we sign can be tracked. Unknown in the
            // journal, never sent again, never declared absent by a lookup of our hash (so its
            // exposure stays counted), and trading halts until someone looks (SUB-08).
            let reason = "venue answered success with order id \(acceptance.orderID), not the hash we signed \(orderID): the venue and exec-proc disagree on the order hash or domain"
            counters.unknown += 1
            report.outcome = .unknown
            report.venueStatus = acceptance.statusText
            report.reason = reason
            logger.critical("order id disagreement; halting", metadata: ["action": "\(action.id)", "order": "\(orderID)", "venue_order": "\(acceptance.orderID)"])
            let result = finish(report, audit: "unknown", settle: (.unknown, reason))
            setState(.halted, reason: "order id disagreement with the venue (\(orderID) vs \(acceptance.orderID))")
            return result
        case .accepted(let acceptance):
            let status = acceptance.status
            // Matched on entry: filled, nothing rests. Delayed: accepted, not filled; its
            // exposure stays reserved and its fills come later.
            if status != .matched { tracked.accepted(sent.order, delayedSinceMillis: status == .delayed ? after : nil) }
            // Its resting lifetime runs from the venue's acceptance.
            if status != .matched {
                restChecked.insert(orderID)
                if action.maxRestMillis > 0 { restDeadlines[orderID] = after + action.maxRestMillis }
            }
            tradedTokens.insert(sent.order.token)
            counters.accepted += 1
            report.outcome = .accepted
            report.venueStatus = acceptance.statusText
            report.tradeIDs = acceptance.tradeIDs
            return finish(report, audit: "accepted", settle: (status == .matched ? .filled : .accepted, acceptance.statusText))
        case .rejected(let rejection) where rejection.kind == .orderVersionMismatch && !sent.versionRetried:
            let reason = rejection.message
            journaled(.settlement, "mark order \(orderID) rejected (version mismatch)") {
                try journal.update(orderHash: orderID.description, to: .rejected, reason: reason, nowMillis: after, audit: nil)
            }
            logger.warning("venue expects another order version; reading /version and re-signing once",
                           metadata: ["action": "\(action.id)", "order": "\(orderID)"])
            do { try catalog.refreshVersion() } catch {
                risk.undo(proposal)
                return reject(report, reason: reason + " (and /version could not be read: \(error))")
            }
            let market: VenueCatalog.MarketInfo
            do { market = try catalog.info(for: action.token) } catch {
                risk.undo(proposal)
                return reject(report, reason: reason + " (and the market could not be looked up again: \(error))")
            }
            return execute(action.with(market: market), proposal: proposal, report: report, versionRetried: true)
        case .rejected(let rejection):
            risk.undo(proposal)
            if rejection.kind == .invalidTickSize { catalog.invalidate(action.token) }
            return reject(report, reason: rejection.message, settle: true)
        case .refused(let error):
            // Proven not placed (rate limit, paused, auth): the order will never exist.
            risk.undo(proposal)
            return reject(report, reason: "refused before placement: \(error)", settle: true)
        case .unknown(let reason):
            counters.unknown += 1
            report.outcome = .unknown
            report.reason = "outcome unknown, resolving by order id: \(reason)"
            // Tracked from memory (the bytes just sent), never from a journal read that might fail.
            tracked.unknown(sent.order, .init(body: sent.body, expiresAtMillis: action.expiresAtMillis))
            return finish(report, audit: "unknown", settle: (.unknown, reason))
        }
    }

    // MARK: Orders in flight

    /// Settles every order whose outcome the ``sender`` has reported (exec-proc's loop calls it
    /// when the sender's wakeup is readable).
    public func completeSubmissions() {
        guard let sender else { return }
        let wasSettling = settlingCompletions
        settlingCompletions = true
        defer { settlingCompletions = wasSettling }
        for completion in sender.takeCompletions() {
            guard let sent = submissions.removeValue(forKey: completion.ticket) else { continue }
            _ = conclude(sent, outcome: completion.outcome, sentAtNanos: completion.sentAtNanos, answeredAtNanos: completion.answeredAtNanos,
                         pacing: completion.pacing)
        }
    }

    /// Waits (at most `timeoutMillis`) until every order in flight has its outcome: before a
    /// cancel-all, so an order still on its way is not left resting after it.
    public func drainInFlight(timeoutMillis: Int64) {
        let deadline = clock() + timeoutMillis
        completeSubmissions()
        while !submissions.isEmpty && clock() < deadline {
            usleep(500)
            completeSubmissions()
        }
        if !submissions.isEmpty {
            logger.warning("orders still in flight after waiting; their outcomes settle when they arrive",
                           metadata: ["in_flight": "\(submissions.count)"])
        }
    }

    /// Gives back what a tracked order reserved once it is gone unfilled beyond `matched`.
    func releaseExposure(of order: LiveOrder, matched: UInt64) {
        switch order.side {
        case .buy:
            risk.release(market: order.market, amount: Collateral(micros: order.unfilledCollateral(matched: matched)))
            risk.releaseOpenBuy(token: order.token, shares: Shares(micros: order.shares - min(order.shares, matched)))
        case .sell: risk.undo(RiskEngine.Proposal(market: order.market, token: order.token, side: .sell, price: order.price,
                                                  size: Shares(micros: order.shares - min(order.shares, matched))))
        }
    }
}
