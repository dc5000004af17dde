
/// The taker delay (spec §4.4 `itode`, §9): on a market with ``SimMarket/takerDelay`` a
/// marketable order — FOK/FAK, or a limit order that crosses on arrival — is accepted as
/// `delayed` and waits ``MatchingEngine/takerDelayMillis``. Meanwhile its funds (and, for a
/// BUY, its maximum fee) stay reserved, it is not on the book, a cancel is refused and the same
/// order again is a duplicate. Then it meets the book as it is at that moment: it matches what
/// crosses (a GTC/GTD remainder rests, a FAK remainder is cancelled), or, when nothing crosses
/// any more or a FOK cannot fill whole, it ends `UNMATCHED` and its funds come back.
/// Non-marketable orders never wait.
extension MatchingEngine {
    /// Parks an accepted, reserved order until its delay is over.
    mutating func hold(_ order: inout SimOrder, market: SimMarket, nowMillis: Int64) {
        order.status = .delayed
        order.releaseAtMillis = nowMillis + Self.takerDelayMillis
        orders[order.id] = order
        delayed.append((order.id, market))
        outbox.append(.order(order, .placement))
    }

    /// Ends the delay of every order whose time has come, oldest first.
    /// - Parameters:
    ///   - nowMillis: the venue's clock.
    ///   - market: the market as it is now (tick, open or closed), by condition id; the one the
    ///     order was placed in when the catalog no longer knows it.
    /// - Returns: the orders released, with what became of them (`matched`, `live`, `unmatched`).
    @discardableResult
    mutating func releaseDelayed(nowMillis: Int64, market lookup: (String) -> SimMarket?) -> [(id: String, status: String)] {
        var released: [(id: String, status: String)] = []
        // Every order waits the same time, so arrival order is release order.
        while let first = delayed.first {
            guard let order = orders[first.id], order.status == .delayed else { delayed.removeFirst(); continue }
            guard (order.releaseAtMillis ?? 0) <= nowMillis else { break }
            delayed.removeFirst()
            let market = lookup(first.market.conditionID) ?? first.market
            released.append((order.id, release(delayed: order, market: market, nowMillis: nowMillis)))
        }
        return released
    }

    private mutating func release(delayed held: SimOrder, market: SimMarket, nowMillis: Int64) -> String {
        var order = held
        order.status = .live
        order.releaseAtMillis = nil
        let candidates = market.closed || !market.acceptingOrders
            ? [] : crossing(side: order.side, token: order.token, limit: order.price, market: market)
        let crossable = candidates.reduce(UInt64(0)) { $0 + $1.order.remaining }
        guard !candidates.isEmpty, order.orderType != .fok || crossable >= order.remaining else {
            order.status = .unmatched
            release(&order)
            orders[order.id] = order
            outbox.append(.order(order, .cancellation))
            return "unmatched"
        }
        return run(&order, against: candidates, market: market, nowMillis: nowMillis).status
    }
}
