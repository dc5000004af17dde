import Foundation
import Logging
import JournalStore
import PolypipeCore
import VenueClient

/// The executor's view of the venue: the startup reconciliation, the periodic
/// resynchronization of exposure and holdings, and the reconciliation after venue heartbeats
/// lapsed (HB-03). The venue is read here; the arithmetic is ``ExposureSnapshot``'s.
extension Executor {
    // MARK: Startup

    /// Before the first action: read `/version`, then settle every journaled order that may be
    /// on the venue (signed or unknown: ask by id; accepted: still open?) and rebuild exposure
    /// and holdings from what the venue reports.
    public func reconcileAtStartup() throws(ClobError) {
        try catalog.refreshVersion()
        let now = clock()
        var open: [OrderID: OpenOrder] = [:]
        for order in try venue.openOrders(conditionID: nil, tokenID: nil) { open[order.id] = order }
        let entries: [Journal.Entry]
        do { entries = try journal.entries(in: [.signed, .unknown, .accepted], createdSinceMillis: .min) } catch {
            throw .notSent("journal unreadable at startup: \(error)")
        }
        var settled = 0
        for entry in entries {
            guard let order = liveOrder(from: entry) else {
                logger.error("journal entry has an unreadable body; left as is", metadata: ["action": "\(entry.actionID)", "order": "\(entry.orderHash)"])
                continue
            }
            // Listed, or else looked up by id (only then: one request per order not listed).
            let orderID = OrderID(entry.orderHash)
            let listed = open[orderID]
            let found = listed == nil ? try venue.order(id: orderID) : nil
            let status = listed?.statusText ?? found?.statusText ?? ""
            switch VenueReconciler.startup(journaled: entry.state, listed: listed != nil, found: found?.status) {
            case .live(let markAccepted):
                tracked.accepted(order)
                if markAccepted {
                    journaled(.settlement, "mark order \(entry.orderHash) accepted at startup") {
                        try journal.update(orderHash: entry.orderHash, to: .accepted, reason: status, nowMillis: now, audit: nil)
                    }
                }
                settled += 1
            case .settled(let state):
                journaled(.settlement, "mark order \(entry.orderHash) \(state.rawValue) at startup") {
                    try journal.update(orderHash: entry.orderHash, to: state, reason: status, nowMillis: now, audit: nil)
                }
                if state == .accepted { tracked.accepted(order) }
                settled += 1
            case .gone:
                // Accepted earlier and gone without trace: the venue no longer lists it.
                journaled(.settlement, "mark order \(entry.orderHash) canceled at startup") {
                    try journal.update(orderHash: entry.orderHash, to: .canceled, reason: "not on the venue at startup", nowMillis: now, audit: nil)
                }
            case .unknown:
                tracked.unknown(order, .init(body: entry.body, expiresAtMillis: entry.expiresAtMillis))
            }
        }
        // Shares bought before the restart may still be held: their balances are read too.
        let recent = journaled(.lookup, "list recently filled or canceled orders") {
            try journal.entries(in: [.filled, .canceled], createdSinceMillis: now - Self.settlementHorizonSeconds * 1000)
        } ?? []
        for entry in recent { if let order = liveOrder(from: entry) { tradedTokens.insert(order.token) } }
        let foreign = open.keys.filter { tracked[$0] == nil }
        if !foreign.isEmpty {
            logger.warning("venue has open orders this journal did not sign; counted as exposure", metadata: ["count": "\(foreign.count)"])
        }
        try resynchronize(open: Array(open.values))
        logger.info("startup reconciliation done", metadata: [
            "journaled": "\(entries.count)", "settled": "\(settled)", "still_unknown": "\(tracked.unknownCount)",
            "open_on_venue": "\(open.count)", "state": "\(risk.state.rawValue)", "venue_version": "\(catalog.venueVersion)",
        ])
    }

    /// Rebuilds exposure and holdings from the venue: resting BUY collateral per market, and
    /// the share balance of every token with a live order.
    public func resynchronize(open: [OpenOrder]? = nil) throws(ClobError) {
        guard configuration.mode != .dryRun else { return }
        let orders: [OpenOrder]
        if let open { orders = open } else { orders = try venue.openOrders(conditionID: nil, tokenID: nil) }
        let openIDs = Set(orders.map(\.id))
        let now = clock()
        var held: [LiveOrder] = []
        for (id, order) in tracked.live where !openIDs.contains(id) {
            // No longer resting: filled or cancelled — unless the taker delay still holds it
            // (spec §4.1, §9: placed, funds reserved, maybe not listed). Ask once.
            let final = try venue.order(id: id)
            var delayedSince: Int64?
            if case .live(let since) = tracked[id]?.state { delayedSince = since }
            switch VenueReconciler.vanished(found: final?.status, delayedSinceMillis: delayedSince, nowMillis: now) {
            case .heldByDelay:
                held.append(order)
            case .final(let state):
                journaled(.settlement, "mark order \(id) \(state.rawValue) (no longer listed)") {
                    try journal.update(orderHash: id.description, to: state, reason: final?.statusText ?? "gone", nowMillis: now, audit: nil)
                }
                tracked.remove(id)
                if final?.status == .canceledExpiredOrder { reportExpired(order, venueStatus: final?.statusText ?? "") }
            }
        }
        for order in orders where tracked[order.id] == nil {
            adoptLateArrival(order, nowMillis: now)
        }
        // Listed orders are no longer held by the taker delay.
        for (order, _) in tracked.delayed where openIDs.contains(order.orderID) { tracked.clearDelay(order.orderID) }
        // Orders the venue does not list yet but may hold — outcome unknown, or still on their
        // way — count at full size (the exposure they reserved stays reserved).
        let unlisted = tracked.all.compactMap { tracked -> LiveOrder? in
            if case .live = tracked.state { return nil }
            return tracked.order
        } + held
        var tokens = Set(orders.map(\.tokenID))
        for order in tracked.live.values { tokens.insert(order.token) }
        for order in unlisted { tokens.insert(order.token) }
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
        let heldTokens = balances.filter { $0.value > 0 }.map(\.key)
        var marketOf: [TokenID: String] = [:]
        for token in heldTokens { marketOf[token] = (try? catalog.info(for: token).conditionID) ?? "" }
        let snapshot = ExposureSnapshot(
            resting: orders.map(ExposureSnapshot.Resting.init),
            unlisted: unlisted.filter { !openIDs.contains($0.orderID) }.map(ExposureSnapshot.Unlisted.init),
            balances: balances, marketOf: marketOf,
            provisional: try provisionalPurchases(of: heldTokens, nowMillis: now))
        risk.resynchronize(exposure: snapshot.exposure, holdings: snapshot.holdings, tokenShares: snapshot.tokenShares)
    }

    /// How long after matching a trade may still be unsettled and is looked at (the venue
    /// settles in seconds to minutes; a trade older than this is taken as settled).
    static let settlementHorizonSeconds: Int64 = 3_600
    /// How far back each read of a token's trades reaches at least (covers the time between
    /// two resynchronizations and a venue clock somewhat behind ours).
    static let tradeOverlapSeconds: Int64 = 60

    /// Shares per token that our own BUY orders received in trades not yet CONFIRMED (MATCHED,
    /// MINED, RETRYING): the part of a balance that a FAILED trade would take back. Only legs of
    /// orders in the journal count — and, when the journal cannot say, the leg counts (fewer
    /// shares to sell is the safe side); a FAILED trade's shares are already out of the balance.
    func provisionalPurchases(of tokens: [TokenID], nowMillis: Int64) throws(ClobError) -> [TokenID: UInt64] {
        var provisional: [TokenID: UInt64] = [:]
        let now = nowMillis / 1000
        for token in tokens {
            let from = max(tradesReadFrom[token] ?? 0, now - Self.settlementHorizonSeconds)
            var oldestUnsettled = now - Self.tradeOverlapSeconds
            for trade in try venue.trades(conditionID: nil, tokenID: token, after: from) where !trade.status.isTerminal {
                let legs = [(trade.takerOrderID, trade.tokenID, trade.side, trade.size)]
                    + trade.makerOrders.map { ($0.orderID, $0.tokenID, $0.side, $0.matchedAmount) }
                for (orderID, legToken, side, size) in legs where legToken == token && side == .buy {
                    let ours = journaled(.lookup, "is trade leg \(orderID) ours") { try journal.entry(orderHash: orderID.description) != nil } ?? true
                    guard ours else { continue }
                    provisional[token, default: 0] += size.micros
                    let matched = VenueTime.millis(trade.matchTime).map { $0 / 1000 } ?? from
                    oldestUnsettled = min(oldestUnsettled, matched - Self.tradeOverlapSeconds)
                }
            }
            tradesReadFrom[token] = max(from, oldestUnsettled)
        }
        return provisional
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
                       metadata: ["heartbeat.lapsed_ms": "\(lapseMillis)", "orders.live": "\(tracked.liveCount)", "orders.unknown": "\(tracked.unknownCount)"])
        journaled(.audit, "audit heartbeat lapse") {
            try journal.audit(actionID: nil, decision: "suspect", detail: "venue heartbeats lapsed \(lapseMillis) ms; reconciling before new orders",
                              nowMillis: clock())
        }
        _ = reconcileAfterLapse()
    }

    /// Reconciles with the venue when the view of it is in doubt; true when it is current.
    func reconcileAfterLapse() -> Bool {
        guard let lapse = suspectAfterLapseMillis else { return true }
        let before = tracked.liveCount
        do { try resynchronize() } catch {
            logger.warning("cannot reconcile with the venue yet; new orders wait", metadata: ["error": "\(error)"])
            return false
        }
        resolvePending()
        suspectAfterLapseMillis = nil
        let after = tracked.liveCount
        logger.notice("reconciled with the venue after heartbeats lapsed", metadata: [
            "heartbeat.lapsed_ms": "\(lapse)", "orders.live_before": "\(before)", "orders.live_after": "\(after)",
            "orders.unknown": "\(tracked.unknownCount)",
        ])
        journaled(.audit, "audit reconciliation after heartbeat lapse") {
            try journal.audit(actionID: nil, decision: "reconciled",
                              detail: "after heartbeats lapsed \(lapse) ms: \(before) orders were live, \(after) are", nowMillis: clock())
        }
        return true
    }
}
