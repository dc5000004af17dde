import PolypipeCore
extension FillLedger {
    /// Starts tracking one of our orders (from exec-proc's order event), at ``OrderState/pending``
    /// unless the record says otherwise. Idempotent: an order already tracked is left as it is.
    public mutating func track(_ order: OrderRecord) -> LedgerUpdate {
        var update = LedgerUpdate()
        guard ordersByID[order.orderID] == nil else { return update }
        ordersByID[order.orderID] = order
        recomputeFilled(orderID: order.orderID)
        update.orders.append(ordersByID[order.orderID] ?? order)
        return update
    }

    /// Applies an order event (submit, venue answer, cancel, expiry, a venue status).
    /// Stages never regress; an event for an order that is not tracked changes nothing.
    public mutating func record(_ event: OrderEvent, orderID: OrderID, atMillis: Int64) -> LedgerUpdate {
        var update = LedgerUpdate()
        guard var order = ordersByID[orderID], order.apply(event, atMillis: atMillis) else { return update }
        ordersByID[order.orderID] = order
        update.orders.append(order)
        return update
    }

    /// The market's window resolved with `winner`: every position in it closes at 1 pUSD per
    /// winning share and 0 per losing share, realizing the difference with its cost basis.
    /// Once per market: a second resolution changes nothing.
    public mutating func resolve(market: String, winner: TokenID, atMillis: Int64) -> LedgerUpdate {
        var update = LedgerUpdate()
        guard resolutionsByMarket[market] == nil else { return update }
        let resolution = Resolution(sequence: nextSequence, market: market, winner: winner, atMillis: atMillis)
        nextSequence += 1
        resolutionsByMarket[market] = resolution
        update.resolutions.append(resolution)
        for key in fillKeysByPosition.keys.filter({ $0.market == market }).sorted() {
            recomputePosition(key)
            update.positions.append(key)
        }
        return update
    }

    /// Replaces the fee schedule of one market, for fills first seen from now on (a fill's fee
    /// is fixed when it is recorded).
    public mutating func setFeeSchedule(_ schedule: FeeSchedule, market: String) {
        configuration.feeSchedules[market] = schedule
    }
}
