import Foundation
import Logging
import JournalStore
import PolypipeCore
import VenueClient

/// The executor's view of the venue: the startup reconciliation, the periodic
/// resynchronization of exposure and holdings, and the reconciliation after venue heartbeats
/// lapsed (HB-03).
extension Executor {
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
                if entry.state != .accepted { try? journal.update(orderHash: entry.orderHash, to: .accepted, reason: venueOrder.statusText, nowMillis: now) }
                settled += 1
                continue
            }
            switch try venue.order(id: entry.orderHash) {
            case .some(let venueOrder):
                let state = Self.journalState(venueStatus: venueOrder.status)
                try? journal.update(orderHash: entry.orderHash, to: state, reason: venueOrder.statusText, nowMillis: now)
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
            try? journal.update(orderHash: id, to: state == .accepted ? .canceled : state, reason: final?.statusText ?? "gone", nowMillis: now)
            live[id] = nil
        }
        for order in orders where live[order.id.lowercased()] == nil {
            adoptLateArrival(order, nowMillis: now)
        }
        var exposure: [String: UInt64] = [:]
        var tokens = Set<TokenID>()
        for order in orders {
            let collateral = order.side == .buy
                ? Collateral.cost(of: Shares(micros: order.originalSize.micros - min(order.originalSize.micros, order.sizeMatched.micros)), at: order.price, rounding: .up).micros
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
    func provisionalPurchases(of tokens: [TokenID], nowMillis: Int64) throws(ClobError) -> [TokenID: UInt64] {
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
                       metadata: ["heartbeat.lapsed_ms": "\(lapseMillis)", "orders.live": "\(live.count)", "orders.unknown": "\(pending.count)"])
        try? journal.audit(actionID: nil, decision: "suspect", detail: "venue heartbeats lapsed \(lapseMillis) ms; reconciling before new orders",
                           nowMillis: clock())
        _ = reconcileAfterLapse()
    }

    /// Reconciles with the venue when the view of it is in doubt; true when it is current.
    func reconcileAfterLapse() -> Bool {
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
}
