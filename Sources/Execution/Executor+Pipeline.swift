import Foundation
import Logging
import JournalStore
import PolypipeCore
import VenueClient

/// The per-action pipeline: each step either passes the action on or ends it with a refusal
/// that names the rule. Nothing is signed before every gate passed; nothing is sent before the
/// journal holds the signed order (``JournalFailurePolicy``).
///
/// ```
/// 1 duplicate? → 2 validate → 3 heartbeat ok? → 4 venue view current? → 5 risk
///   → 6 build + sign → 7 journal → 8 hand off (sender, or POST on this thread) → settlement
/// ```
extension Executor {
    /// A signed, journaled order on its way to the venue: what settling its answer needs.
    struct Submission {
        let action: ValidatedAction
        let proposal: RiskEngine.Proposal
        let report: OrderReport
        let versionRetried: Bool
        let order: LiveOrder
        /// The exact bytes sent (kept for one identical resend if the outcome is unknown).
        let body: [UInt8]
        var orderID: OrderID { order.orderID }
    }

    /// Runs one action through the pipeline and returns what happened (also published, see
    /// ``onEvent``). An order handed to the ``sender`` returns with outcome ``OrderReport/Outcome/pending``;
    /// its outcome follows when ``completeSubmissions()`` settles it.
    /// - Parameter replacing: a replace's old order, already confirmed cancelled (or filled):
    ///   reported with the new order's events.
    @discardableResult
    public func handle(_ action: ExecAction, receivedAtNanos: UInt64, replacing: OrderID? = nil) -> OrderReport {
        counters.actionsReceived += 1
        var report = OrderReport(action: action, receivedAtNanos: receivedAtNanos)
        report.replacesOrderID = replacing
        let now = clock()
        // 1. Exactly once: an id journaled before is never executed again. A journal that
        //    cannot answer is a journal that cannot record either: refused, not guessed.
        let existing: Journal.Entry?
        do { existing = try journal.entry(actionID: action.id) } catch {
            journalFailed(.order, "check action \(action.id) for an earlier order", error)
            return refuse(report, because: "journal unavailable: cannot check the action id (\(error)); nothing sent")
        }
        if let existing {
            counters.duplicates += 1
            report.outcome = .duplicate
            report.orderID = OrderID(existing.orderHash)
            report.reason = "action id already executed (order \(existing.orderHash) is \(existing.state.rawValue))"
            return finish(report, audit: "duplicate")
        }
        // 2. Validate, with the venue's own facts.
        let validated: ValidatedAction
        do { validated = try ActionValidator.validate(action, catalog: catalog, nowMillis: now) } catch {
            return refuse(report, because: "invalid action: \(error)")
        }
        // 3. Fail closed when the venue heartbeat is failing or stale (cancels still go out).
        guard configuration.mode == .dryRun || health.isHealthy else {
            return refuse(report, because: "venue heartbeat failing: new orders are refused until it recovers")
        }
        // 4. After heartbeats lapsed, the venue may have cancelled our orders: look first (HB-03).
        if let lapse = suspectAfterLapseMillis, !reconcileAfterLapse() {
            return refuse(report, because: "reconciling with the venue after its heartbeats lapsed \(lapse) ms; new orders wait until it succeeds")
        }
        // 5. Risk rules, against the venue's book.
        let mid: Price?
        do { mid = try catalog.mid(of: validated.token, nowMillis: now) } catch {
            return refuse(report, because: "cannot read the book for the price band: \(error)")
        }
        let proposal = validated.proposal
        if case .reject(let why) = risk.evaluate(proposal, mid: mid, nowMillis: now) {
            if case .orderRateAboveLimit = why { noteRateRefusal(nowMillis: now) }
            return refuse(report, because: "risk: \(why)")
        }
        report.validatedAtNanos = BusClock.nowNanos()
        return execute(validated, proposal: proposal, report: report, versionRetried: false)
    }

    /// Steps 6–8: sign, journal, hand off. `proposal` was allowed by the risk engine; every
    /// path that ends without an order on its way gives its exposure back.
    func execute(_ action: ValidatedAction, proposal: RiskEngine.Proposal, report: OrderReport,
                 versionRetried: Bool) -> OrderReport {
        var report = report
        let now = clock()
        // 6. Build and sign: exact amounts from the validated price and size.
        let built: OrderBuilder.Built
        do {
            built = try builder.build(action.pricing, side: action.side, tokenID: action.token, tick: action.market.tick,
                                      exchange: action.market.exchange, salt: Order.randomSalt(), timestamp: UInt256(UInt64(now)),
                                      expiration: action.gtdExpiration)
        } catch {
            risk.undo(proposal)
            return refuse(report, because: "cannot build the order: \(error)")
        }
        let orderID = OrderID(built.signed.orderID)
        let body = OrderPayload.bodyBytes(built.signed, owner: configuration.owner, orderType: action.orderType,
                                          deferExec: false, postOnly: action.postOnly)
        report.signedAtNanos = BusClock.nowNanos()
        report.orderID = orderID
        report.expirationSeconds = Int64(built.signed.expiration)
        // 7. The journal entry exists before a single byte goes out; if it cannot be written,
        //    the order is never sent (fail closed).
        switch journalSigned(action, orderID: orderID, body: body, built: built, versionRetried: versionRetried, nowMillis: now) {
        case .written: break
        case .duplicate(let earlier):
            risk.undo(proposal)
            counters.duplicates += 1
            report.outcome = .duplicate
            report.orderID = earlier
            report.reason = "action id already executed"
            return finish(report, audit: "duplicate")
        case .resignRefused:
            risk.undo(proposal)
            return refuse(report, because: "journal refused to re-sign: the first order is not rejected")
        case .failed(let error):
            risk.undo(proposal)
            return refuse(report, because: "journal unavailable: the order could not be journaled (\(error)); not sending")
        }
        report.journaledAtNanos = BusClock.nowNanos()
        let order = LiveOrder(orderID: orderID, actionID: action.id, market: action.market.conditionID, order: built.signed.order,
                              createdAtMillis: now)
        // 7b. A resting lifetime is journaled before the order is sent, so a restarted exec-proc
        //     still cancels it in time (`Executor+Lifetimes.swift`).
        if action.maxRestMillis > 0, configuration.mode != .dryRun,
           journaled(.order, "journal the resting lifetime of action \(action.id)", {
               try journal.mark(.restLimit, key: action.id, detail: String(action.maxRestMillis), nowMillis: now)
           }) == nil {
            risk.undo(proposal)
            return refuse(report, because: "journal unavailable: the order's resting lifetime could not be journaled; not sending",
                          settle: (.rejected, "not sent: resting lifetime not journaled"))
        }

        if configuration.mode == .dryRun {
            lastSentAtNanos = BusClock.nowNanos()
            report.sentAtNanos = lastSentAtNanos
            risk.undo(proposal)
            counters.dryRun += 1
            report.outcome = .dryRun
            report.reason = "dry-run: signed and journaled, not sent"
            return finish(report, audit: "dry-run", settle: (.dryRun, "dry-run: signed, not sent"))
        }

        // 8. Hand off.
        let submission = Submission(action: action, proposal: proposal, report: report, versionRetried: versionRetried,
                                    order: order, body: body)
        if batchLegs != nil {
            // A leg of a batch: posted with the others in one `POST /orders` (Executor+Batch).
            batchLegs?.append(submission)
            return report
        }
        if let sender {
            // The sender posts it on one of its connections; ``completeSubmissions()`` settles it.
            let ticket = nextTicket
            nextTicket &+= 1
            submissions[ticket] = submission
            tracked.sent(order, ticket: ticket)
            sender.submit(ticket: ticket, body: body, notAfterMillis: action.expiresAtMillis)
            return report
        }
        // No sender: the signer's order bucket is waited for on this thread (the sender's
        // workers wait instead when there is one).
        if let admission = venue.rateLimits?.acquire(.orders, cost: 1, notAfterMillis: action.expiresAtMillis), admission != .go {
            let now = BusClock.nowNanos()
            return conclude(submission, outcome: .refused(.notSent(admission.description)), sentAtNanos: now, answeredAtNanos: now, pacing: admission)
        }
        let sentAt = BusClock.nowNanos()
        let outcome = venue.postOrder(body: body)
        return conclude(submission, outcome: outcome, sentAtNanos: sentAt, answeredAtNanos: BusClock.nowNanos())
    }

    /// What step 7 did.
    enum SignedEntry {
        case written
        /// The action id was journaled before, with this order id: nothing new was written.
        case duplicate(orderID: OrderID)
        /// A re-sign found the first order not rejected.
        case resignRefused
        /// The journal failed (the policy has been applied: trading halted).
        case failed(any Error)
    }

    /// Writes the signed order (or, after `order_version_mismatch`, its replacement) with its
    /// audit line: a ``JournalCall/order`` call.
    func journalSigned(_ action: ValidatedAction, orderID: OrderID, body: [UInt8], built: OrderBuilder.Built,
                       versionRetried: Bool, nowMillis now: Int64) -> SignedEntry {
        let terms = action.amount.map { "$\($0)" } ?? "\(action.size)"
        let expiry = action.gtdExpiration > 0 ? " expiration \(action.gtdExpiration)" : ""
        let detail = "\(action.side.rawValue) \(terms) @ \(action.limitPrice) \(action.orderType.rawValue)\(expiry) token \(action.token) market \(action.market.conditionID) exchange \(action.market.exchange.rawValue) order \(orderID) maker \(built.signed.order.makerAmount) taker \(built.signed.order.takerAmount) strategy \(action.strategy)"
        do {
            if versionRetried {
                guard try journal.resign(actionID: action.id, orderHash: orderID.description, body: body, nowMillis: now) else { return .resignRefused }
                try journal.audit(actionID: action.id, decision: "signed", detail: detail, nowMillis: now)
                return .written
            }
            switch try journal.record(actionID: action.id, orderHash: orderID.description, market: action.market.conditionID, body: body,
                                      nowMillis: now, expiresAtMillis: action.expiresAtMillis, audit: ("signed", detail)) {
            case .new: return .written
            case .existing(let earlier): return .duplicate(orderID: OrderID(earlier.orderHash))
            }
        } catch {
            journalFailed(.order, "journal order \(orderID) of action \(action.id)", error)
            return .failed(error)
        }
    }

    /// Counts one refusal by the order-rate limit and halts trading once a minute holds more
    /// than the flood threshold: the rate limit keeps the orders within budget, the halt stops a
    /// strategy that keeps pushing past it until an operator has looked (`polypipe resume`).
    func noteRateRefusal(nowMillis: Int64) {
        rateRefusals.removeAll { $0 <= nowMillis - 60_000 }
        rateRefusals.append(nowMillis)
        let threshold = configuration.floodHaltRefusals > 0 ? configuration.floodHaltRefusals : risk.limits.maxOrdersPerMinute
        guard rateRefusals.count >= threshold, risk.state != .halted else { return }
        setState(.halted, reason: "action flood: \(rateRefusals.count) actions refused by the order-rate limit (\(risk.limits.maxOrdersPerMinute)/min) within a minute; check the strategy, then polypipe resume")
        rateRefusals.removeAll()
    }
}
