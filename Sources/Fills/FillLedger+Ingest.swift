import PolypipeCore
extension FillLedger {
    /// Ingests one trade, from REST or the user channel.
    ///
    /// Our legs are the taker leg when `taker_order_id` is a tracked order and each maker leg
    /// whose `order_id` is; size and price come from our leg. The whole trade is checked before
    /// anything is applied, and dropped whole (``LedgerUpdate/dropped``, counted) when it has no
    /// id, repeats an order id across legs, has none of our legs, or one of our legs is
    /// impossible (zero size, price outside (0, 1), token, side or market not the order's) or
    /// contradicts what was seen of it before.
    ///
    /// A new leg becomes a fill at the trade's status; a known one only moves its status
    /// forward (see ``TradeStatus`` and SET-04). FAILED voids the fill: its position is replayed
    /// without it and its order's filled size shrinks.
    ///
    /// - Important: a trade of an order not yet tracked is dropped as foreign, not remembered:
    ///   track orders before polling their trades, and a later sighting (the next REST poll)
    ///   is then counted normally.
    public mutating func ingest(_ observation: TradeObservation) -> LedgerUpdate {
        counters.observations += 1
        let owned: [(leg: TradeObservation.Leg, role: FillRecord.Role, order: OrderRecord)]
        switch ownedLegs(of: observation) {
        case .failure(let reason):
            var update = LedgerUpdate()
            update.dropped = reason
            if reason.isForeign { counters.droppedForeign += 1 } else { counters.droppedMalformed += 1 }
            return update
        case .success(let legs): owned = legs
        }

        var update = LedgerUpdate()
        var touchedPositions: Set<PositionKey> = []
        var touchedOrders: Set<OrderID> = []
        for (leg, role, order) in owned {
            let key = FillKey(tradeID: observation.tradeID, orderID: order.orderID)
            if var fill = fillsByKey[key] {
                guard fill.status.settlementAccepts(observation.status) else {
                    if fill.status.isTerminal, observation.status.isTerminal, observation.status != fill.status {
                        counters.conflictingStatuses += 1
                        update.conflicts.append(key)
                    }
                    continue
                }
                let wasVoided = fill.isVoided
                fill.status = observation.status
                fill.statusChangedAtMillis = observation.observedAtMillis
                fillsByKey[key] = fill
                counters.statusChanges += 1
                update.settled.append(fill)
                if fill.isVoided, !wasVoided {
                    counters.voids += 1
                    update.voided.append(fill)
                }
                touchedPositions.insert(fill.positionKey)
                touchedOrders.insert(order.orderID)
            } else {
                let fee = configuration.feeSchedule(market: order.market).reported(rateBps: leg.feeRateBps)
                    .fee(shares: leg.size, price: leg.price, isTaker: role == .taker)
                let fill = FillRecord(key: key, sequence: nextSequence, market: order.market, token: order.token, side: order.side,
                                      role: role, size: leg.size, price: leg.price, fee: fee, status: observation.status,
                                      matchedAtMillis: observation.matchedAtMillis, firstSeenAtMillis: observation.observedAtMillis,
                                      statusChangedAtMillis: observation.observedAtMillis)
                nextSequence += 1
                fillsByKey[key] = fill
                fillKeysByPosition[fill.positionKey, default: []].append(key)
                fillKeysByOrder[order.orderID, default: []].append(key)
                counters.newFills += 1
                update.newFills.append(fill)
                touchedPositions.insert(fill.positionKey)
                touchedOrders.insert(order.orderID)
            }
        }
        if update.newFills.isEmpty, update.settled.isEmpty { counters.duplicates += 1 }
        for key in touchedPositions.sorted() {
            recomputePosition(key)
            update.positions.append(key)
        }
        for orderID in touchedOrders.sorted() where recomputeFilled(orderID: orderID, atMillis: observation.observedAtMillis) {
            if let order = ordersByID[orderID] { update.orders.append(order) }
        }
        return update
    }

    /// Ingests a trade object as JSON (a REST page entry or a user-channel frame); JSON that
    /// cannot be read as a trade is dropped whole and counted as malformed.
    public mutating func ingest(json: JSONValue, source: TradeObservation.Source, observedAtMillis: Int64) -> LedgerUpdate {
        do {
            return ingest(try TradeObservation(json: json, source: source, observedAtMillis: observedAtMillis))
        } catch {
            counters.observations += 1
            counters.droppedMalformed += 1
            var update = LedgerUpdate()
            update.dropped = .unreadable(error.description)
            return update
        }
    }

    /// Our legs of a trade, all checked; or why the whole trade must be dropped.
    private func ownedLegs(of observation: TradeObservation)
        -> Result<[(leg: TradeObservation.Leg, role: FillRecord.Role, order: OrderRecord)], LedgerUpdate.DropReason> {
        guard !observation.tradeID.isEmpty else { return .failure(.missingTradeID) }
        var seen: Set<OrderID> = []
        let legs = [(observation.taker, FillRecord.Role.taker)] + observation.makers.map { ($0, FillRecord.Role.maker) }
        for (leg, _) in legs where !leg.orderID.isEmpty {
            guard seen.insert(leg.orderID).inserted else { return .failure(.repeatedOrder(leg.orderID)) }
        }
        var owned: [(leg: TradeObservation.Leg, role: FillRecord.Role, order: OrderRecord)] = []
        for (leg, role) in legs {
            guard let order = ordersByID[leg.orderID] else { continue }
            if let problem = Self.problem(with: leg, of: order, market: observation.market) {
                return .failure(.invalidLeg(orderID: order.orderID, problem: problem))
            }
            let key = FillKey(tradeID: observation.tradeID, orderID: order.orderID)
            if let known = fillsByKey[key], known.size != leg.size || known.price != leg.price || known.role != role {
                return .failure(.conflictingContent(key))
            }
            owned.append((leg, role, order))
        }
        return owned.isEmpty ? .failure(.foreign) : .success(owned)
    }

    private static func problem(with leg: TradeObservation.Leg, of order: OrderRecord, market: String) -> String? {
        if leg.size.micros == 0 { return "size is zero" }
        if leg.price.micros == 0 || leg.price.micros >= 1_000_000 { return "price \(leg.price) is outside (0, 1)" }
        if leg.token != order.token { return "token \(leg.token) is not the order's \(order.token)" }
        if leg.side != order.side { return "side \(leg.side.rawValue) is not the order's \(order.side.rawValue)" }
        if !market.isEmpty, !order.market.isEmpty, market.lowercased() != order.market.lowercased() {
            return "market \(market) is not the order's \(order.market)"
        }
        return nil
    }
}
