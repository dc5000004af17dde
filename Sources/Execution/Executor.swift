import Foundation
import Logging
import Bus
import JournalStore
import PolypipeCore
import VenueClient

/// exec-proc's pipeline for one action, and everything that keeps its view of the venue honest:
///
/// ```
/// action → duplicate? → validate → heartbeat ok? → venue view current? → risk → sign → JOURNAL → POST → outcome
/// ```
///
/// - An action id is executed at most once, across restarts: the journal refuses a second order
///   for it, and an order whose outcome is unknown is resolved by asking the venue for its id
///   (the EIP-712 hash, known before sending) — never by signing a new order.
/// - Only a venue answer that proves rejection marks an order rejected; timeouts, resets and 5xx
///   leave it unknown until the venue shows it (accepted) or, after ``Configuration/unknownGraceMillis``
///   without trace, the journal gives up waiting (`absent`).
/// - The one case that signs an action twice: `order_version_mismatch`, a proven rejection,
///   after which `/version` is read again and the order re-signed once.
///
/// Single-threaded by design: exec-proc's loop calls it, and the REST client blocks.
///
/// The pipeline is here; the view of the venue (startup reconciliation, resynchronization,
/// lapsed heartbeats) is in `Executor+VenueSync.swift`, unknown outcomes in
/// `Executor+UnknownOutcomes.swift`, operator commands and status in `Executor+Status.swift`,
/// status mappings and bus events in `Executor+Events.swift`. Their shared state is internal to
/// `Execution`, for these extensions only.
public final class Executor {
    public struct Configuration: Sendable {
        public var mode: ExecMode
        /// The L2 API key that owns the orders (`owner` in the POST body).
        public var owner: String
        /// How long an order the venue cannot find stays `unknown` before it is `absent`.
        public var unknownGraceMillis: Int64 = 60_000
        /// An unknown order not found this long after signing is sent again, identical bytes
        /// (idempotent: the venue refuses a second order with the same hash) — only while its
        /// action is still valid (its TTL): a stale order is never placed late (CR-02).
        public var resendAfterMillis: Int64 = 2_000
        /// How many final order events the snapshot keeps.
        public var recentEventLimit = 200
        /// How long a cancel-all waits for orders in flight to come back (more than a request's
        /// timeout, so each has its outcome).
        public var drainTimeoutMillis: Int64 = 5_000
        /// Actions refused by the order-rate limit within one minute after which trading halts
        /// (a strategy flooding, maybe compromised: RISK-05). 0: as many as the limit allows per
        /// minute, i.e. the strategy asked for twice its budget.
        public var floodHaltRefusals = 0

        public init(mode: ExecMode, owner: String) {
            self.mode = mode
            self.owner = owner
        }
    }

    public struct Counters: Sendable {
        public var actionsReceived: UInt64 = 0
        public var accepted: UInt64 = 0
        public var rejected: UInt64 = 0
        public var unknown: UInt64 = 0
        public var refused: UInt64 = 0
        public var duplicates: UInt64 = 0
        public var dryRun: UInt64 = 0
        public var malformed: UInt64 = 0
    }

    public let configuration: Configuration
    public let journal: Journal
    public let catalog: VenueCatalog
    public internal(set) var risk: RiskEngine
    public internal(set) var counters = Counters()
    /// Why trading is halted or reduced (operator reason, alarm, heartbeat).
    public internal(set) var stateReason = ""
    /// Orders that may rest on the venue, by lower-case order id (the venue's spelling may differ).
    public internal(set) var live: [String: LiveOrder] = [:]
    /// Orders sent with no proof either way, by order id, with when they were signed and whether
    /// they were sent again.
    var pending: [String: (entry: Journal.Entry, order: LiveOrder, resent: Bool)] = [:]
    var recent: [Polypipe_Bus_V1_OrderEvent] = []
    /// When actions were refused by the order-rate limit, over the last minute (bounded by the
    /// flood threshold: past it trading halts, and a halted executor refuses before the rate check).
    var rateRefusals: [Int64] = []
    let venue: ClobClient
    let builder: OrderBuilder
    let health: VenueHealth
    let clock: @Sendable () -> Int64
    let logger: Logger
    /// Receives every order event (exec-proc publishes it on the bus).
    public var onEvent: (Polypipe_Bus_V1_OrderEvent) -> Void = { _ in }
    /// Set just before each request is handed to the transport (tick-to-wire measurement).
    public internal(set) var lastSentAtNanos: UInt64 = 0
    /// Posts orders on several connections at once; nil: each order is posted on this thread
    /// and settled before the next action.
    public var sender: OrderSender?
    /// A signed, journaled order handed to ``sender``, by ticket.
    struct InFlight {
        let action: ValidatedAction
        let proposal: RiskEngine.Proposal
        let event: Polypipe_Bus_V1_OrderEvent
        let versionRetried: Bool
        let order: LiveOrder
        let orderID: String
    }
    var inFlight: [UInt64: InFlight] = [:]
    var nextTicket: UInt64 = 1
    /// Tokens this executor has traded and may still hold shares of: their balances are read at
    /// every resynchronization (what a SELL may use), and dropped once empty and not traded.
    var tradedTokens: Set<TokenID> = []
    /// Per traded token, from when (unix seconds) its trades are read for unsettled ones: just
    /// before the oldest trade of ours still unsettled, else a minute ago — so each
    /// resynchronization reads the last minute's trades, not the last hour's.
    var tradesReadFrom: [TokenID: Int64] = [:]
    /// Orders the venue accepted as `delayed` (held by the taker delay), by lower-case id, with
    /// when: until the venue lists them or ends them, they stay live and count as exposure.
    var delayedSince: [String: Int64] = [:]
    /// How long an order accepted as `delayed` that the venue neither lists nor finds is still
    /// taken as held (the taker delay is 250 ms; spec §9).
    static let delayedGraceMillis: Int64 = 10_000
    /// How long venue heartbeats had lapsed, while what the venue holds is in doubt (see
    /// ``heartbeatsLapsed(forMillis:)``); nil when the view of the venue is current.
    public internal(set) var suspectAfterLapseMillis: Int64?

    public init(configuration: Configuration, journal: Journal, venue: ClobClient, builder: OrderBuilder,
                limits: RiskLimits, health: VenueHealth, logger: Logger, books: BookWatch? = nil,
                clock: @escaping @Sendable () -> Int64 = { BusClock.nowMillis() }) throws(Journal.Failure) {
        self.configuration = configuration
        self.journal = journal
        self.venue = venue
        self.catalog = VenueCatalog(client: venue, books: books)
        self.builder = builder
        self.health = health
        self.logger = logger
        self.clock = clock
        self.risk = RiskEngine(limits: limits, state: try journal.tradingState())
        // The last minute's signatures, from before a restart, still count toward the rate limit.
        let now = clock()
        risk.restoreSigned(atMillis: try journal.entries(in: Journal.State.allCases, createdSinceMillis: now - 60_000).map(\.createdAtMillis))
    }

    // MARK: One action

    /// Runs one action through the pipeline and returns what happened (also sent to ``onEvent``).
    @discardableResult
    public func handle(_ action: Polypipe_Bus_V1_Action, receivedAtNanos: UInt64) -> Polypipe_Bus_V1_OrderEvent {
        counters.actionsReceived += 1
        let now = clock()
        var event = Self.event(for: action, receivedAtNanos: receivedAtNanos)

        // 1. Exactly once: an id journaled before is never executed again.
        if let existing = try? journal.entry(actionID: action.id) {
            counters.duplicates += 1
            event.outcome = .duplicate
            event.orderID = existing.orderHash
            event.reason = "action id already executed (order \(existing.orderHash) is \(existing.state.rawValue))"
            return finish(event, audit: "duplicate")
        }
        // 2. Validate, with the venue's own facts.
        let validated: ValidatedAction
        do { validated = try ActionValidator.validate(action, catalog: catalog, nowMillis: now) } catch {
            return refuse(event, because: "invalid action: \(error)")
        }
        // 3. Fail closed when the venue heartbeat is not current (cancels still go out).
        guard configuration.mode == .dryRun || health.isHealthy else {
            return refuse(event, because: "venue heartbeat failing: new orders are refused until it recovers")
        }
        // 4. After heartbeats lapsed, the venue may have cancelled our orders: look first (HB-03).
        if let lapse = suspectAfterLapseMillis, !reconcileAfterLapse() {
            return refuse(event, because: "reconciling with the venue after its heartbeats lapsed \(lapse) ms; new orders wait until it succeeds")
        }
        // 5. Risk rules, against the venue's book.
        let mid: Price?
        do { mid = try catalog.mid(of: validated.token, nowMillis: now) } catch {
            return refuse(event, because: "cannot read the book for the price band: \(error)")
        }
        let proposal = validated.proposal
        if case .reject(let why) = risk.evaluate(proposal, mid: mid, nowMillis: now) {
            if case .orderRateAboveLimit = why { noteRateRefusal(nowMillis: now) }
            return refuse(event, because: "risk: \(why)")
        }
        // 6. Sign, journal, send.
        return execute(validated, proposal: proposal, event: event, versionRetried: false)
    }

    func execute(_ action: ValidatedAction, proposal: RiskEngine.Proposal, event: Polypipe_Bus_V1_OrderEvent,
                         versionRetried: Bool) -> Polypipe_Bus_V1_OrderEvent {
        var event = event
        let now = clock()
        let built: OrderBuilder.Built
        do {
            built = try builder.build(.limit(price: action.limitPrice, size: action.size),
                                      side: action.side, tokenID: action.token, tick: action.market.tick,
                                      exchange: action.market.exchange, salt: Order.randomSalt(), timestamp: UInt256(UInt64(now)))
        } catch {
            risk.undo(proposal)
            return refuse(event, because: "cannot build the order: \(error)")
        }
        let orderID = built.signed.orderID
        let body = OrderPayload.bodyBytes(built.signed, owner: configuration.owner, orderType: action.orderType,
                                          deferExec: false, postOnly: action.postOnly)
        event.orderID = orderID
        let signedDetail = "\(action.side.rawValue) \(action.size) @ \(action.limitPrice) \(action.orderType.rawValue) token \(action.token) market \(action.market.conditionID) exchange \(action.market.exchange.rawValue) order \(orderID) maker \(built.signed.order.makerAmount) taker \(built.signed.order.takerAmount) strategy \(action.strategy)"
        // The journal entry exists before a single byte goes out.
        do {
            if versionRetried {
                guard try journal.resign(actionID: action.id, orderHash: orderID, body: body, nowMillis: now) else {
                    risk.undo(proposal)
                    return refuse(event, because: "journal refused to re-sign: the first order is not rejected")
                }
                try journal.audit(actionID: action.id, decision: "signed", detail: signedDetail, nowMillis: now)
            } else if case .existing(let earlier) = try journal.record(actionID: action.id, orderHash: orderID, market: action.market.conditionID,
                                                                       body: body, nowMillis: now, expiresAtMillis: action.expiresAtMillis,
                                                                       audit: ("signed", signedDetail)) {
                risk.undo(proposal)
                counters.duplicates += 1
                event.outcome = .duplicate
                event.orderID = earlier.orderHash
                event.reason = "action id already executed"
                return finish(event, audit: "duplicate")
            }
        } catch {
            risk.undo(proposal)
            return refuse(event, because: "journal write failed; not sending: \(error)")
        }
        let order = LiveOrder(orderID: orderID, actionID: action.id, market: action.market.conditionID, order: built.signed.order,
                              createdAtMillis: now)

        if configuration.mode == .dryRun {
            lastSentAtNanos = BusClock.nowNanos()
            event.sentAtNs = lastSentAtNanos
            risk.undo(proposal)
            counters.dryRun += 1
            event.outcome = .dryRun
            event.reason = "dry-run: signed and journaled, not sent"
            return finish(event, audit: "dry-run", settle: (.dryRun, "dry-run: signed, not sent"))
        }

        let sending = InFlight(action: action, proposal: proposal, event: event, versionRetried: versionRetried,
                               order: order, orderID: orderID)
        if let sender {
            // The sender posts it on one of its connections; ``completeSubmissions()`` settles it.
            let ticket = nextTicket
            nextTicket &+= 1
            inFlight[ticket] = sending
            sender.submit(ticket: ticket, body: body, notAfterMillis: action.expiresAtMillis)
            return event
        }
        // No sender: the signer's order bucket is waited for on this thread (the sender's
        // workers wait instead when there is one).
        if let admission = venue.rateLimits?.acquire(.orders, cost: 1, notAfterMillis: action.expiresAtMillis), admission != .go {
            let now = BusClock.nowNanos()
            return conclude(sending, outcome: .refused(.notSent(admission.description)), sentAtNanos: now, answeredAtNanos: now, pacing: admission)
        }
        let sentAt = BusClock.nowNanos()
        let outcome = venue.postOrder(body: body)
        return conclude(sending, outcome: outcome, sentAtNanos: sentAt, answeredAtNanos: BusClock.nowNanos())
    }

    /// Settles a sent order with the venue's answer.
    /// - Parameter pacing: set when the order was never sent because the signer's order bucket
    ///   had no token before its action's expiry (spec §6.1: refused as stale, never sent
    ///   late), or a cancel-all withdrew it while it waited.
    func conclude(_ sent: InFlight, outcome: SubmitOutcome, sentAtNanos: UInt64, answeredAtNanos: UInt64,
                          pacing: RateLimitPacer.Admission? = nil) -> Polypipe_Bus_V1_OrderEvent {
        let (action, proposal, orderID) = (sent.action, sent.proposal, sent.orderID)
        var event = sent.event
        if let pacing {
            risk.undo(proposal)
            counters.refused += 1
            event.outcome = .refused
            event.reason = "rate limit: \(pacing)"
            return finish(event, audit: pacing == .withdrawn ? "withdrawn" : "stale", settle: (.rejected, "not sent: \(pacing)"))
        }
        lastSentAtNanos = sentAtNanos
        event.sentAtNs = sentAtNanos
        event.answeredAtNs = answeredAtNanos
        let after = clock()
        switch outcome {
        case .accepted(let acceptance) where acceptance.orderID.lowercased() != orderID.lowercased():
            // The venue placed *something* under another id: it hashes our order differently
            // (domain, contract, struct), so nothing we sign can be tracked. Unknown in the
            // journal, never sent again, never declared absent by a lookup of our hash (so its
            // exposure stays counted), and trading halts until someone looks (SUB-08).
            let reason = "venue answered success with order id \(acceptance.orderID), not the hash we signed \(orderID): the venue and exec-proc disagree on the order hash or domain"
            counters.unknown += 1
            event.outcome = .unknown
            event.venueStatus = acceptance.statusText
            event.reason = reason
            logger.critical("order id disagreement; halting", metadata: ["action": "\(action.id)", "order": "\(orderID)", "venue_order": "\(acceptance.orderID)"])
            let result = finish(event, audit: "unknown", settle: (.unknown, reason))
            setState(.halted, reason: "order id disagreement with the venue (\(orderID) vs \(acceptance.orderID))")
            return result
        case .accepted(let acceptance):
            let matched = acceptance.status == .matched
            if !matched { live[orderID.lowercased()] = sent.order }
            // Delayed: accepted, not filled; its exposure stays reserved and its fills come later.
            if acceptance.status == .delayed { delayedSince[orderID.lowercased()] = after }
            tradedTokens.insert(sent.order.token)
            counters.accepted += 1
            event.outcome = .accepted
            event.venueStatus = acceptance.statusText
            event.tradeIds = acceptance.tradeIDs
            return finish(event, audit: "accepted", settle: (matched ? .filled : .accepted, acceptance.statusText))
        case .rejected(let rejection) where rejection.kind == .orderVersionMismatch && !sent.versionRetried:
            let reason = rejection.message
            try? journal.update(orderHash: orderID, to: .rejected, reason: reason, nowMillis: after)
            logger.warning("venue expects another order version; reading /version and re-signing once",
                           metadata: ["action": "\(action.id)", "order": "\(orderID)"])
            do { try catalog.refreshVersion() } catch {
                risk.undo(proposal)
                return reject(event, reason: reason + " (and /version could not be read: \(error))")
            }
            let market: VenueCatalog.MarketInfo
            do { market = try catalog.info(for: action.token) } catch {
                risk.undo(proposal)
                return reject(event, reason: reason + " (and the market could not be looked up again: \(error))")
            }
            let refreshed = action.with(market: market)
            return execute(refreshed, proposal: proposal, event: event, versionRetried: true)
        case .rejected(let rejection):
            risk.undo(proposal)
            if rejection.kind == .invalidTickSize { catalog.invalidate(action.token) }
            return reject(event, reason: rejection.message, settle: true)
        case .refused(let error):
            // Proven not placed (rate limit, paused, auth): the order will never exist.
            risk.undo(proposal)
            return reject(event, reason: "refused before placement: \(error)", settle: true)
        case .unknown(let reason):
            counters.unknown += 1
            event.outcome = .unknown
            event.reason = "outcome unknown, resolving by order id: \(reason)"
            let result = finish(event, audit: "unknown", settle: (.unknown, reason))
            if let entry = try? journal.entry(actionID: action.id) { pending[orderID] = (entry, sent.order, false) }
            return result
        }
    }

    // MARK: Orders in flight

    /// Settles every order whose outcome the ``sender`` has reported (exec-proc's loop calls it
    /// when the sender's wakeup is readable).
    public func completeSubmissions() {
        guard let sender else { return }
        for completion in sender.takeCompletions() {
            guard let sent = inFlight.removeValue(forKey: completion.ticket) else { continue }
            _ = conclude(sent, outcome: completion.outcome, sentAtNanos: completion.sentAtNanos, answeredAtNanos: completion.answeredAtNanos,
                         pacing: completion.pacing)
        }
    }

    /// Orders handed to the ``sender`` whose outcome has not come back yet.
    public var inFlightCount: Int { inFlight.count }

    /// Waits (at most `timeoutMillis`) until every order in flight has its outcome: before a
    /// cancel-all, so an order still on its way is not left resting after it.
    public func drainInFlight(timeoutMillis: Int64) {
        let deadline = clock() + timeoutMillis
        completeSubmissions()
        while !inFlight.isEmpty && clock() < deadline {
            usleep(500)
            completeSubmissions()
        }
        if !inFlight.isEmpty {
            logger.warning("orders still in flight after waiting; their outcomes settle when they arrive",
                           metadata: ["in_flight": "\(inFlight.count)"])
        }
    }

    // MARK: Helpers

    func releaseExposure(of order: LiveOrder, matched: UInt64) {
        switch order.side {
        case .buy: risk.release(market: order.market, amount: Collateral(micros: order.unfilledCollateral(matched: matched)))
        case .sell: risk.undo(RiskEngine.Proposal(market: order.market, token: order.token, side: .sell, price: order.price,
                                                  size: Shares(micros: order.shares - min(order.shares, matched))))
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

    func refuse(_ event: Polypipe_Bus_V1_OrderEvent, because reason: String) -> Polypipe_Bus_V1_OrderEvent {
        var event = event
        counters.refused += 1
        event.outcome = .refused
        event.reason = reason
        return finish(event, audit: "refused")
    }

    /// - Parameter settle: also mark the journaled order rejected with `reason`.
    func reject(_ event: Polypipe_Bus_V1_OrderEvent, reason: String, settle: Bool = false) -> Polypipe_Bus_V1_OrderEvent {
        var event = event
        counters.rejected += 1
        event.outcome = .rejected
        event.reason = reason
        return finish(event, audit: "rejected", settle: settle ? (.rejected, reason) : nil)
    }

    /// Audits, logs and publishes `event`. With `settle`, the journaled order moves to that
    /// state in the same transaction as the audit line.
    func finish(_ event: Polypipe_Bus_V1_OrderEvent, audit decision: String,
                        settle: (state: Journal.State, reason: String)? = nil) -> Polypipe_Bus_V1_OrderEvent {
        let actionID = event.actionID.isEmpty ? nil : event.actionID
        let detail = event.reason.isEmpty ? "order \(event.orderID) \(event.venueStatus)" : event.reason
        if let settle {
            try? journal.update(orderHash: event.orderID, to: settle.state, reason: settle.reason, nowMillis: clock(),
                                audit: (actionID, decision, detail))
        } else {
            try? journal.audit(actionID: actionID, decision: decision, detail: detail, nowMillis: clock())
        }
        recent.append(event)
        if recent.count > configuration.recentEventLimit { recent.removeFirst(recent.count - configuration.recentEventLimit) }
        let level: Logger.Level = event.outcome == .accepted || event.outcome == .dryRun ? .info : .notice
        logger.log(level: level, "action \(decision)", metadata: [
            "action": "\(event.actionID)", "order": "\(event.orderID)", "outcome": "\(event.outcome)",
            "reason": "\(event.reason)", "venue_status": "\(event.venueStatus)",
        ])
        onEvent(event)
        return event
    }

    func liveOrder(from entry: Journal.Entry) -> LiveOrder? {
        guard let json = try? JSONParser.parse(entry.body), let decoded = try? OrderPayload.decode(json) else { return nil }
        return LiveOrder(orderID: entry.orderHash, actionID: entry.actionID, market: entry.market, order: decoded.order,
                         createdAtMillis: entry.createdAtMillis)
    }

}
