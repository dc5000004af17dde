import PolypipeCore
import VenueClient

/// Cancels, GTD expiry, open-order queries and trade settlement (MATCHED → MINED → CONFIRMED,
/// or RETRYING → FAILED).
extension MatchingEngine {
    // MARK: Cancels and expiry

    /// Cancels an open order of `owner`; returns the reason when it cannot.
    mutating func cancel(_ id: String, owner: String, status: SimOrder.Status = .canceled) -> String? {
        guard var order = orders[id], order.owner == owner else { return "Order not found or already canceled" }
        if order.status == .delayed { return Self.delayedCancelRefusal }
        guard order.isOpen else { return order.status == .matched ? "Order already matched" : "Order not found or already canceled" }
        adjustLevel(order, by: -Int64(order.remaining))
        order.status = status
        release(&order)
        orders[id] = order
        books[order.token]?.removeAll { $0 == id }
        if owner != MarketMaker.owner { outbox.append(.order(order, .cancellation)) }
        return nil
    }

    /// Open orders resting on `tokens`, in arrival order (reads the book index only).
    func openOrders(on tokens: [TokenID]) -> [SimOrder] {
        tokens.flatMap { books[$0] ?? [] }.compactMap { orders[$0] }.filter(\.isOpen).sorted { $0.sequence < $1.sequence }
    }

    /// Drops a closed order from memory (the agents' replaced quotes, which nobody queries).
    mutating func forget(_ id: String) {
        guard let order = orders[id], !order.isOpen, order.tradeIDs.isEmpty else { return }
        orders[id] = nil
    }

    /// Why a cancel of an order in its taker delay is refused (spec §9: not cancellable while
    /// delayed). The venue's exact text is not recorded; this one says what happened.
    static let delayedCancelRefusal = "Order is delayed (taker delay) and cannot be canceled yet"

    /// Open order ids of `owner` — resting or held by the taker delay — optionally narrowed to
    /// a market and/or token. Cancels of the delayed ones are refused with a reason.
    func openOrderIDs(owner: String, market: String? = nil, token: TokenID? = nil) -> [String] {
        orders.values.filter { $0.owner == owner && ($0.isOpen || $0.status == .delayed) && (market == nil || $0.market == market) && (token == nil || $0.token == token) }
            .sorted { $0.sequence < $1.sequence }.map(\.id)
    }

    /// Cancels GTD orders whose expiration is `leadSeconds` away or past (the venue acts about
    /// a minute early, spec §2.2); they end `CANCELED_EXPIRED_ORDER`.
    mutating func expire(nowSeconds: Int64, leadSeconds: Int64 = 60) -> [String] {
        let due = orders.values.filter { $0.isOpen && $0.orderType == .gtd && Int64($0.expiration) - leadSeconds <= nowSeconds }.map { ($0.id, $0.owner) }
        for (id, owner) in due { _ = cancel(id, owner: owner, status: .canceledExpired) }
        return due.map(\.0)
    }

    // MARK: Settlement

    /// Moves trades along MATCHED → MINED → CONFIRMED; a trade picked to fail goes
    /// RETRYING → FAILED, and its balance moves are reversed (a ghost fill).
    mutating func advanceTrades(nowMillis: Int64, minedAfter: Int64, confirmedAfter: Int64, fails: (String) -> Bool) -> [String] {
        var changed: [String] = []
        for index in trades.indices {
            var trade = trades[index]
            let age = nowMillis - trade.matchedAt
            let next: TradeStatus?
            switch trade.status {
            case .matched where age >= minedAfter: next = fails(trade.id) ? .retrying : .mined
            case .retrying where age >= confirmedAfter: next = .failed
            case .mined where age >= confirmedAfter: next = .confirmed
            default: next = nil
            }
            guard let next else { continue }
            trade.status = next
            trade.lastUpdate = nowMillis
            if next == .mined { trade.transactionHash = Hex.encode(Keccak256.hash(utf8: "tx:" + trade.id)) }
            if next == .failed {
                for delta in trade.deltas {
                    if let token = delta.token { ledger.credit(delta.account, token: token, shares: -delta.amount) }
                    else { ledger.credit(delta.account, collateral: -delta.amount) }
                }
            }
            trades[index] = trade
            changed.append(trade.id)
            outbox.append(.trade(trade))
        }
        return changed
    }
}
