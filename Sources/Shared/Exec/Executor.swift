import Foundation
import Logging

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
    public private(set) var risk: RiskEngine
    public private(set) var counters = Counters()
    /// Why trading is halted or reduced (operator reason, alarm, heartbeat).
    public private(set) var stateReason = ""
    /// Orders that may rest on the venue, by lower-case order id (the venue's spelling may differ).
    public private(set) var live: [String: LiveOrder] = [:]
    /// Orders sent with no proof either way, by order id, with when they were signed and whether
    /// they were sent again.
    private var pending: [String: (entry: Journal.Entry, order: LiveOrder, resent: Bool)] = [:]
    private var recent: [Polypipe_Bus_V1_OrderEvent] = []
    /// When actions were refused by the order-rate limit, over the last minute (bounded by the
    /// flood threshold: past it trading halts, and a halted executor refuses before the rate check).
    private var rateRefusals: [Int64] = []
    private let venue: ClobClient
    private let builder: OrderBuilder
    private let health: VenueHealth
    private let clock: @Sendable () -> Int64
    private let logger: Logger
    /// Receives every order event (exec-proc publishes it on the bus).
    public var onEvent: (Polypipe_Bus_V1_OrderEvent) -> Void = { _ in }
    /// Set just before each request is handed to the transport (tick-to-wire measurement).
    public private(set) var lastSentAtNanos: UInt64 = 0
    /// Posts orders on several connections at once; nil: each order is posted on this thread
    /// and settled before the next action.
    public var sender: OrderSender?
    /// A signed, journaled order handed to ``sender``, by ticket.
    private struct InFlight {
        let action: ValidatedAction
        let proposal: RiskEngine.Proposal
        let event: Polypipe_Bus_V1_OrderEvent
        let versionRetried: Bool
        let order: LiveOrder
        let orderID: String
    }
    private var inFlight: [UInt64: InFlight] = [:]
    private var nextTicket: UInt64 = 1
    /// Tokens this executor has traded and may still hold shares of: their balances are read at
    /// every resynchronization (what a SELL may use), and dropped once empty and not traded.
    private var tradedTokens: Set<TokenID> = []
    /// Per traded token, from when (unix seconds) its trades are read for unsettled ones: just
    /// before the oldest trade of ours still unsettled, else a minute ago — so each
    /// resynchronization reads the last minute's trades, not the last hour's.
    private var tradesReadFrom: [TokenID: Int64] = [:]
    /// Orders the venue accepted as `delayed` (held by the taker delay), by lower-case id, with
    /// when: until the venue lists them or ends them, they stay live and count as exposure.
    private var delayedSince: [String: Int64] = [:]
    /// How long an order accepted as `delayed` that the venue neither lists nor finds is still
    /// taken as held (the taker delay is 250 ms; spec §9).
    static let delayedGraceMillis: Int64 = 10_000
    /// How long venue heartbeats had lapsed, while what the venue holds is in doubt (see
    /// ``heartbeatsLapsed(forMillis:)``); nil when the view of the venue is current.
    public private(set) var suspectAfterLapseMillis: Int64?

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

    // MARK: Startup

    /// Before the first action: read `/version`, then settle every journaled order that may be
    /// on the venue (signed or unknown: ask by id; accepted: still open?) and rebuild exposure
    /// and holdings from what the venue reports.
    public func reconcileAtStartup() throws(ClobError) {
        try catalog.refreshVersion()
        let now = clock()
        var open: [String: OpenOrder] = [:]
        for order in try venue.openOrders() { open[order.id.lowercased()] = order }
        let entries: [Journal.Entry]
        do { entries = try journal.entries(in: [.signed, .unknown, .accepted]) } catch {
            throw .notSent("journal unreadable at startup: \(error)")
        }
        var settled = 0
        for entry in entries {
            guard let order = liveOrder(from: entry) else {
                logger.error("journal entry has an unreadable body; left as is", metadata: ["action": "\(entry.actionID)", "order": "\(entry.orderHash)"])
                continue
            }
            if let venueOrder = open[entry.orderHash.lowercased()] {
                live[entry.orderHash.lowercased()] = order
                if entry.state != .accepted { try? journal.update(orderHash: entry.orderHash, to: .accepted, reason: venueOrder.status, nowMillis: now) }
                settled += 1
                continue
            }
            switch try venue.order(id: entry.orderHash) {
            case .some(let venueOrder):
                let state = Self.journalState(venueStatus: venueOrder.status)
                try? journal.update(orderHash: entry.orderHash, to: state, reason: venueOrder.status, nowMillis: now)
                if state == .accepted { live[entry.orderHash.lowercased()] = order }
                settled += 1
            case .none where entry.state == .accepted:
                // Accepted earlier and gone without trace: the venue no longer lists it.
                try? journal.update(orderHash: entry.orderHash, to: .canceled, reason: "not on the venue at startup", nowMillis: now)
            case .none:
                pending[entry.orderHash] = (entry, order, false)
            }
        }
        // Shares bought before the restart may still be held: their balances are read too.
        let recent = (try? journal.entries(in: [.filled, .canceled], createdSinceMillis: now - Self.settlementHorizonSeconds * 1000)) ?? []
        for entry in recent { if let order = liveOrder(from: entry) { tradedTokens.insert(order.token) } }
        let foreign = open.keys.filter { live[$0] == nil }
        if !foreign.isEmpty {
            logger.warning("venue has open orders this journal did not sign; counted as exposure", metadata: ["count": "\(foreign.count)"])
        }
        try resynchronize(open: Array(open.values))
        logger.info("startup reconciliation done", metadata: [
            "journaled": "\(entries.count)", "settled": "\(settled)", "still_unknown": "\(pending.count)",
            "open_on_venue": "\(open.count)", "state": "\(risk.state.rawValue)", "venue_version": "\(catalog.venueVersion)",
        ])
    }

    /// Rebuilds exposure and holdings from the venue: resting BUY collateral per market, and
    /// the share balance of every token with a live order.
    public func resynchronize(open: [OpenOrder]? = nil) throws(ClobError) {
        guard configuration.mode != .dryRun else { return }
        let orders: [OpenOrder]
        if let open { orders = open } else { orders = try venue.openOrders() }
        let openIDs = Set(orders.map { $0.id.lowercased() })
        let now = clock()
        var held: [LiveOrder] = []
        for id in live.keys where !openIDs.contains(id) {
            // No longer resting: filled or cancelled. Ask once for the final state.
            let final = try venue.order(id: id)
            // Unless it is still held by the taker delay (spec §4.1, §9): placed, funds
            // reserved, not matched yet — and maybe not listed among the open orders.
            if let since = delayedSince[id], final.map({ Self.isDelayed($0.status) }) ?? (now - since < Self.delayedGraceMillis),
               let order = live[id] {
                held.append(order)
                continue
            }
            delayedSince[id] = nil
            let state = final.map { Self.journalState(venueStatus: $0.status) } ?? .canceled
            try? journal.update(orderHash: id, to: state == .accepted ? .canceled : state, reason: final?.status ?? "gone", nowMillis: now)
            live[id] = nil
        }
        for order in orders where live[order.id.lowercased()] == nil {
            adoptLateArrival(order, nowMillis: now)
        }
        var exposure: [String: UInt64] = [:]
        var tokens = Set<TokenID>()
        for order in orders {
            let collateral = order.side == .buy
                ? UInt64((UInt128(order.originalSize.micros - min(order.originalSize.micros, order.sizeMatched.micros)) * UInt128(order.price.micros) + 999_999) / 1_000_000)
                : 0
            exposure[order.market, default: 0] += collateral
            tokens.insert(order.tokenID)
        }
        for order in live.values { tokens.insert(order.token) }
        // Orders the venue does not list yet but may hold — outcome unknown, or still on their
        // way — count at full size (the exposure they reserved stays reserved).
        delayedSince = delayedSince.filter { !openIDs.contains($0.key) && live[$0.key] != nil }
        let unlisted = pending.values.map(\.order) + inFlight.values.map(\.order) + held
        for order in unlisted where !openIDs.contains(order.orderID.lowercased()) {
            exposure[order.market, default: 0] += order.unfilledCollateral(matched: 0)
        }
        for order in unlisted { tokens.insert(order.token) }
        // Shares SELL orders offer are spoken for: resting on the account (the unmatched rest,
        // whoever placed them) or ours and still unlisted (all of it).
        var offered: [TokenID: UInt64] = [:]
        for order in orders where order.side == .sell {
            offered[order.tokenID, default: 0] += order.originalSize.micros - min(order.originalSize.micros, order.sizeMatched.micros)
        }
        for order in unlisted where order.side == .sell && !openIDs.contains(order.orderID.lowercased()) {
            offered[order.token, default: 0] += order.shares
        }
        var balances: [TokenID: UInt64] = [:]
        for token in tokens.union(tradedTokens) {
            // Protocol-V2 positions (ExchangeV3 markets) sit in the PositionManager and are read
            // as CONDITIONAL-V2; CTF outcome tokens as CONDITIONAL (spec §4.5, §9).
            let asset: ClobClient.AssetType = token.isProtocolV2Position ? .conditionalV2 : .conditional
            let balance = try venue.balanceAllowance(asset, tokenID: token, signatureType: builder.signatureType)
            balances[token] = balance.balance.uint64Value ?? 0
        }
        tradedTokens = Set(balances.filter { $0.value > 0 || tokens.contains($0.key) }.keys)
        tradesReadFrom = tradesReadFrom.filter { tradedTokens.contains($0.key) }
        // Held shares stay exposure until sold, provisional ones included. Their cost is not
        // known here, so they count at face value, 1 pUSD per share: the most a share can pay
        // out (conservative).
        for (token, shares) in balances where shares > 0 {
            let market = (try? catalog.info(for: token).conditionID) ?? ""
            exposure[market, default: 0] += shares
        }
        // A SELL may use confirmed shares only: shares bought in a trade the chain has not
        // confirmed yet vanish if it fails (SET-03).
        var holdings = balances
        let provisional = try provisionalPurchases(of: balances.filter { $0.value > 0 }.map(\.key), nowMillis: now)
        for (token, shares) in provisional.merging(offered, uniquingKeysWith: +) {
            holdings[token] = (holdings[token] ?? 0) - min(holdings[token] ?? 0, shares)
        }
        risk.resynchronize(exposure: exposure, holdings: holdings)
    }

    /// How long after matching a trade may still be unsettled and is looked at (the venue
    /// settles in seconds to minutes; a trade older than this is taken as settled).
    static let settlementHorizonSeconds: Int64 = 3_600
    /// How far back each read of a token's trades reaches at least (covers the time between
    /// two resynchronizations and a venue clock somewhat behind ours).
    static let tradeOverlapSeconds: Int64 = 60

    /// Shares per token that our own BUY orders received in trades not yet CONFIRMED (MATCHED,
    /// MINED, RETRYING): the part of a balance that a FAILED trade would take back. Only legs of
    /// orders in the journal count; a FAILED trade's shares are already out of the balance.
    private func provisionalPurchases(of tokens: [TokenID], nowMillis: Int64) throws(ClobError) -> [TokenID: UInt64] {
        var provisional: [TokenID: UInt64] = [:]
        let now = nowMillis / 1000
        for token in tokens {
            let from = max(tradesReadFrom[token] ?? 0, now - Self.settlementHorizonSeconds)
            var oldestUnsettled = now - Self.tradeOverlapSeconds
            for trade in try venue.trades(tokenID: token, after: from) where !trade.status.isTerminal {
                let legs = [(trade.takerOrderID, trade.tokenID, trade.side, trade.size)]
                    + trade.makerOrders.map { ($0.orderID, $0.tokenID, $0.side, $0.matchedAmount) }
                for (orderID, legToken, side, size) in legs where legToken == token && side == .buy {
                    guard (try? journal.entry(orderHash: orderID.lowercased())) != nil else { continue }
                    provisional[token, default: 0] += size.micros
                    let matched = TradeObservation.millis(venueTime: trade.matchTime).map { $0 / 1000 } ?? from
                    oldestUnsettled = min(oldestUnsettled, matched - Self.tradeOverlapSeconds)
                }
            }
            tradesReadFrom[token] = max(from, oldestUnsettled)
        }
        return provisional
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

    private func execute(_ action: ValidatedAction, proposal: RiskEngine.Proposal, event: Polypipe_Bus_V1_OrderEvent,
                         versionRetried: Bool) -> Polypipe_Bus_V1_OrderEvent {
        var event = event
        let now = clock()
        let built: OrderBuilder.Built
        do {
            built = try builder.build(.limit(price: action.limitPrice.description, size: action.size.description),
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
    private func conclude(_ sent: InFlight, outcome: SubmitOutcome, sentAtNanos: UInt64, answeredAtNanos: UInt64,
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
            event.venueStatus = acceptance.status
            event.reason = reason
            logger.critical("order id disagreement; halting", metadata: ["action": "\(action.id)", "order": "\(orderID)", "venue_order": "\(acceptance.orderID)"])
            let result = finish(event, audit: "unknown", settle: (.unknown, reason))
            setState(.halted, reason: "order id disagreement with the venue (\(orderID) vs \(acceptance.orderID))")
            return result
        case .accepted(let acceptance):
            let matched = acceptance.status.lowercased() == "matched"
            if !matched { live[orderID.lowercased()] = sent.order }
            // Delayed: accepted, not filled; its exposure stays reserved and its fills come later.
            if acceptance.status.lowercased() == "delayed" { delayedSince[orderID.lowercased()] = after }
            tradedTokens.insert(sent.order.token)
            counters.accepted += 1
            event.outcome = .accepted
            event.venueStatus = acceptance.status
            event.tradeIds = acceptance.tradeIDs
            return finish(event, audit: "accepted", settle: (matched ? .filled : .accepted, acceptance.status))
        case .rejected(let reason) where reason.contains("order_version_mismatch") && !sent.versionRetried:
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
        case .rejected(let reason):
            risk.undo(proposal)
            if reason.lowercased().contains("tick") { catalog.invalidate(action.token) }
            return reject(event, reason: reason, settle: true)
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

    // MARK: Lapsed heartbeats

    /// No venue heartbeat succeeded for `lapseMillis`, longer than the venue's dead-man window
    /// (a frozen process — SIGSTOP, a VM pause —, a stalled loop, an outage): the venue may have
    /// cancelled every open order, and orders may have filled unseen. Until a reconciliation
    /// with the venue succeeds (open orders, the final state of each order no longer listed,
    /// unknown outcomes, exposure and holdings), no new order is sent (test matrix HB-03).
    public func heartbeatsLapsed(forMillis lapseMillis: Int64) {
        suspectAfterLapseMillis = max(lapseMillis, suspectAfterLapseMillis ?? 0)
        logger.warning("venue heartbeats lapsed; open orders are suspect until reconciled with the venue",
                       metadata: ["heartbeat.lapsed_ms": "\(lapseMillis)", "orders.live": "\(live.count)", "orders.unknown": "\(pending.count)"])
        try? journal.audit(actionID: nil, decision: "suspect", detail: "venue heartbeats lapsed \(lapseMillis) ms; reconciling before new orders",
                           nowMillis: clock())
        _ = reconcileAfterLapse()
    }

    /// Reconciles with the venue when the view of it is in doubt; true when it is current.
    private func reconcileAfterLapse() -> Bool {
        guard let lapse = suspectAfterLapseMillis else { return true }
        let before = live.count
        do { try resynchronize() } catch {
            logger.warning("cannot reconcile with the venue yet; new orders wait", metadata: ["error": "\(error)"])
            return false
        }
        resolvePending()
        suspectAfterLapseMillis = nil
        logger.notice("reconciled with the venue after heartbeats lapsed", metadata: [
            "heartbeat.lapsed_ms": "\(lapse)", "orders.live_before": "\(before)", "orders.live_after": "\(live.count)",
            "orders.unknown": "\(pending.count)",
        ])
        try? journal.audit(actionID: nil, decision: "reconciled",
                           detail: "after heartbeats lapsed \(lapse) ms: \(before) orders were live, \(live.count) are", nowMillis: clock())
        return true
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
                try? journal.update(orderHash: orderID, to: state, reason: "resolved: \(found.status)", nowMillis: now)
                if state == .accepted { live[orderID.lowercased()] = item.order }
                pending[orderID] = nil
                if state != .canceled { counters.accepted += 1 }
                event.outcome = state == .canceled ? .canceled : .accepted
                event.venueStatus = found.status
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
                    try? journal.update(orderHash: orderID, to: .accepted, reason: acceptance.status, nowMillis: clock())
                    live[orderID.lowercased()] = item.order
                    if acceptance.status.lowercased() == "delayed" { delayedSince[orderID.lowercased()] = clock() }
                    pending[orderID] = nil
                    counters.accepted += 1
                    event.outcome = .accepted
                    event.venueStatus = acceptance.status
                    _ = finish(event, audit: "accepted-on-resend")
                case .rejected(let reason) where reason.contains("Duplicated"):
                    break  // it is there after all; the next lookup finds it
                case .rejected(let reason):
                    pending[orderID] = nil
                    releaseExposure(of: item.order, matched: 0)
                    _ = reject(event, reason: reason, settle: true)
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
    private func adoptLateArrival(_ venueOrder: OpenOrder, nowMillis: Int64) {
        guard let entry = try? journal.entry(orderHash: venueOrder.id.lowercased()), entry.state == .absent,
              let order = liveOrder(from: entry) else { return }
        live[venueOrder.id.lowercased()] = order
        counters.accepted += 1
        var event = Self.event(for: order, actionID: entry.actionID)
        event.outcome = .accepted
        event.venueStatus = venueOrder.status
        event.reason = "declared absent, then listed by the venue: tracked again"
        logger.warning("an order declared absent appeared on the venue; tracking it again",
                       metadata: ["order": "\(entry.orderHash)", "action": "\(entry.actionID)"])
        _ = finish(event, audit: "late-arrival", settle: (.accepted, "appeared late: \(venueOrder.status)"))
    }

    // MARK: Operator commands

    /// HALT, REDUCE_ONLY, RESUME: persisted before it takes effect, and audited.
    public func setState(_ state: TradingState, reason: String) {
        try? journal.setTradingState(state)
        try? journal.audit(actionID: nil, decision: "state-\(state.rawValue)", detail: reason, nowMillis: clock())
        risk.set(state)
        stateReason = state == .running ? "" : reason
        logger.notice("trading state changed", metadata: ["state": "\(state.rawValue)", "reason": "\(reason)"])
    }

    /// Cancels every open order of this account on the venue (allowed in every state).
    public func cancelAll(reason: String) -> (canceled: [String], notCanceled: [String: String], error: String?) {
        try? journal.audit(actionID: nil, decision: "cancel-all", detail: reason, nowMillis: clock())
        guard configuration.mode != .dryRun else { return ([], [:], nil) }
        // Orders still waiting for the signer's order bucket are not sent at all: the cancel
        // neither waits behind them nor misses one sent after it (RL-07).
        sender?.withdrawWaiting()
        drainInFlight(timeoutMillis: configuration.drainTimeoutMillis)
        do {
            let result = try venue.cancelAll()
            let now = clock()
            for id in result.canceled {
                try? journal.update(orderHash: id, to: .canceled, reason: "cancel-all: \(reason)", nowMillis: now)
                if let order = live.removeValue(forKey: id.lowercased()) {
                    releaseExposure(of: order, matched: 0)
                }
            }
            logger.notice("cancel-all", metadata: ["canceled": "\(result.canceled.count)", "not_canceled": "\(result.notCanceled.count)", "reason": "\(reason)"])
            return (result.canceled, result.notCanceled, nil)
        } catch {
            logger.error("cancel-all failed", metadata: ["error": "\(error)"])
            return ([], [:], "\(error)")
        }
    }

    // MARK: Status and snapshot

    public func status(mode: ExecMode, signer: EthereumAddress, venueURL: String, startedAtMillis: Int64) -> Polypipe_Bus_V1_ExecStatus {
        var status = Polypipe_Bus_V1_ExecStatus()
        switch risk.state {
        case .running: status.state = .running
        case .reducing: status.state = .reducing
        case .halted: status.state = .halted
        }
        status.mode = mode.rawValue
        status.venueHeartbeatOk = mode == .dryRun || health.isHealthy
        status.signerAddress = signer.checksummed
        status.venueURL = venueURL
        status.actionsReceived = counters.actionsReceived
        status.ordersAccepted = counters.accepted
        status.ordersRejected = counters.rejected
        status.ordersUnknown = UInt64(pending.count)
        status.actionsRefused = counters.refused
        status.malformedMessages = counters.malformed
        status.openOrders = UInt64(live.count)
        status.totalExposureMicros = risk.totalExposure
        status.startedAtMs = startedAtMillis
        status.venueVersion = Int64(catalog.venueVersion)
        status.stateReason = stateReason
        return status
    }

    /// The latest event of each recent order (for snapshots).
    public var recentEvents: [Polypipe_Bus_V1_OrderEvent] { recent }

    /// Every order the journal believes may be on the venue — accepted and resting, outcome
    /// unknown, or still in flight — for the reconciler's orphan and missing-order checks.
    public var mayBeLiveOrders: [Polypipe_Bus_V1_JournalOrder] {
        let orders = Array(live.values) + pending.values.map(\.order) + inFlight.values.map(\.order)
        return orders.map { order in
            var message = Polypipe_Bus_V1_JournalOrder()
            message.orderID = order.orderID.lowercased()
            message.market = order.market
            message.createdAtMs = order.createdAtMillis
            return message
        }.sorted { $0.orderID < $1.orderID }
    }

    /// A malformed bus message was dropped.
    public func countMalformed() { counters.malformed += 1 }

    // MARK: Helpers

    private func releaseExposure(of order: LiveOrder, matched: UInt64) {
        switch order.side {
        case .buy: risk.release(market: order.market, amount: Collateral(micros: order.unfilledCollateral(matched: matched)))
        case .sell: risk.undo(RiskEngine.Proposal(market: order.market, token: order.token, side: .sell, price: order.price,
                                                  size: Shares(micros: order.shares - min(order.shares, matched))))
        }
    }

    /// Counts one refusal by the order-rate limit and halts trading once a minute holds more
    /// than the flood threshold: the rate limit keeps the orders within budget, the halt stops a
    /// strategy that keeps pushing past it until an operator has looked (`polypipe resume`).
    private func noteRateRefusal(nowMillis: Int64) {
        rateRefusals.removeAll { $0 <= nowMillis - 60_000 }
        rateRefusals.append(nowMillis)
        let threshold = configuration.floodHaltRefusals > 0 ? configuration.floodHaltRefusals : risk.limits.maxOrdersPerMinute
        guard rateRefusals.count >= threshold, risk.state != .halted else { return }
        setState(.halted, reason: "action flood: \(rateRefusals.count) actions refused by the order-rate limit (\(risk.limits.maxOrdersPerMinute)/min) within a minute; check the strategy, then polypipe resume")
        rateRefusals.removeAll()
    }

    private func refuse(_ event: Polypipe_Bus_V1_OrderEvent, because reason: String) -> Polypipe_Bus_V1_OrderEvent {
        var event = event
        counters.refused += 1
        event.outcome = .refused
        event.reason = reason
        return finish(event, audit: "refused")
    }

    /// - Parameter settle: also mark the journaled order rejected with `reason`.
    private func reject(_ event: Polypipe_Bus_V1_OrderEvent, reason: String, settle: Bool = false) -> Polypipe_Bus_V1_OrderEvent {
        var event = event
        counters.rejected += 1
        event.outcome = .rejected
        event.reason = reason
        return finish(event, audit: "rejected", settle: settle ? (.rejected, reason) : nil)
    }

    /// Audits, logs and publishes `event`. With `settle`, the journaled order moves to that
    /// state in the same transaction as the audit line.
    private func finish(_ event: Polypipe_Bus_V1_OrderEvent, audit decision: String,
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

    private func liveOrder(from entry: Journal.Entry) -> LiveOrder? {
        guard let json = try? JSONParser.parse(entry.body), let decoded = try? OrderPayload.decode(json) else { return nil }
        return LiveOrder(orderID: entry.orderHash, actionID: entry.actionID, market: entry.market, order: decoded.order,
                         createdAtMillis: entry.createdAtMillis)
    }

    /// Whether a venue order status says the taker delay still holds the order.
    static func isDelayed(_ venueStatus: String) -> Bool {
        let status = venueStatus.uppercased()
        return status == "DELAYED" || status == "ORDER_STATUS_DELAYED"
    }

    static func journalState(venueStatus: String) -> Journal.State {
        let status = venueStatus.uppercased()
        if status == "MATCHED" { return .filled }
        if status.hasPrefix("CANCELED") || status == "INVALID" || status == "UNMATCHED" { return .canceled }
        return .accepted
    }

    /// The event for a journaled order settled later (no action at hand: only the order's own terms).
    static func event(for order: LiveOrder, actionID: String) -> Polypipe_Bus_V1_OrderEvent {
        var event = Polypipe_Bus_V1_OrderEvent()
        event.actionID = actionID
        event.orderID = order.orderID
        event.market = order.market
        event.tokenID = order.token.description
        event.side = order.side == .buy ? .buy : .sell
        event.sizeMicros = order.shares
        event.limitPriceMicros = order.price.micros
        return event
    }

    static func event(for action: Polypipe_Bus_V1_Action, receivedAtNanos: UInt64) -> Polypipe_Bus_V1_OrderEvent {
        var event = Polypipe_Bus_V1_OrderEvent()
        event.actionID = action.id
        event.market = action.market
        event.tokenID = action.tokenID
        event.side = action.side
        event.sizeMicros = action.sizeMicros
        event.limitPriceMicros = action.limitPriceMicros
        event.expectedPriceMicros = action.expectedPriceMicros
        event.actionCreatedAtMs = action.createdAtMs
        event.receivedAtNs = receivedAtNanos
        event.strategy = action.strategy
        return event
    }
}

