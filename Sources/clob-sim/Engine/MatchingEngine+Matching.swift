import PolypipeCore

/// Matching proper: which resting orders an order crosses, how each fill moves balances
/// (complementary, mint, merge; spec §7), the trade it makes and the fees it pays.
extension MatchingEngine {
    /// A resting order that would trade with an incoming one, at the incoming order's
    /// effective price.
    struct Candidate {
        let order: SimOrder
        let effectivePrice: UInt64
        let complementary: Bool
    }

    func crossing(side: Side, token: TokenID, limit: UInt64, market: SimMarket) -> [Candidate] {
        guard anythingCrosses(side: side, token: token, limit: limit, sibling: market.sibling(of: token)) else { return [] }
        var candidates: [Candidate] = []
        for id in books[token] ?? [] {
            guard let resting = orders[id], resting.isOpen, resting.side != side else { continue }
            let crosses = side == .buy ? resting.price <= limit : resting.price >= limit
            if crosses { candidates.append(Candidate(order: resting, effectivePrice: resting.price, complementary: true)) }
        }
        if let sibling = market.sibling(of: token) {
            for id in books[sibling] ?? [] {
                guard let resting = orders[id], resting.isOpen, resting.side == side else { continue }
                let effective = 1_000_000 - resting.price
                let crosses = side == .buy ? effective <= limit : effective >= limit
                if crosses { candidates.append(Candidate(order: resting, effectivePrice: effective, complementary: false)) }
            }
        }
        return candidates.sorted { lhs, rhs in
            if lhs.effectivePrice != rhs.effectivePrice {
                return side == .buy ? lhs.effectivePrice < rhs.effectivePrice : lhs.effectivePrice > rhs.effectivePrice
            }
            return lhs.order.sequence < rhs.order.sequence
        }
    }

    /// Fills `order` against `candidates` (best first) at the makers' prices, records one trade
    /// for the fills (at the taker's average price), and charges the market's fees.
    ///
    /// - Important: fees (spec §2.5) are charged on the trade as the client sees it: the
    ///   taker pays ``MarketFees/takerFee(shares:price:)`` of the trade's `size` at its `price`,
    ///   which is exactly what fill-proc (``FeeSchedule``) recomputes from the trade object. A
    ///   BUY pays it in pUSD on top of the price; a SELL has it taken from its proceeds. Which
    ///   one the venue does for a BUY (pUSD or shares) is UNCONFIRMED in the spec: charging pUSD
    ///   is the conservative reading, since P&L then never looks better than a pUSD-only
    ///   account allows. Each maker leg is credited ``MarketFees/makerRebate(shares:price:)``;
    ///   the rest goes to ``Ledger/feeCollector``, so no money appears or vanishes. All these
    ///   moves are the trade's deltas: a FAILED trade gives them back.
    /// - Returns: what the taker gave and got, and the trade ids (none when nothing crossed).
    mutating func match(_ order: inout SimOrder, against candidates: [Candidate], market: SimMarket,
                        nowMillis: Int64) -> (making: UInt64, taking: UInt64, tradeIDs: [String]) {
        var making: UInt64 = 0
        var taking: UInt64 = 0
        var legs: [MakerLeg] = []
        var deltas: [(account: EthereumAddress, token: TokenID?, amount: Int64)] = []
        for candidate in candidates where order.remaining > 0 {
            let quantity = min(order.remaining, candidate.order.remaining)
            let moved = execute(taker: &order, makerID: candidate.order.id, quantity: quantity, market: market, complementary: candidate.complementary)
            making += moved.takerGave
            taking += moved.takerGot
            legs.append(moved.leg)
            deltas += moved.deltas
        }
        guard !legs.isEmpty else { return (0, 0, []) }
        tradeCounter += 1
        let id = Self.tradeID(seed: seed, counter: tradeCounter)
        let traded = legs.reduce(UInt64(0)) { $0 + $1.amount }
        let average = order.side == .buy ? UInt64((UInt128(making) * 1_000_000) / UInt128(max(traded, 1)))
                                         : UInt64((UInt128(taking) * 1_000_000) / UInt128(max(traded, 1)))
        let fee = market.fees.takerFee(shares: traded, price: average)
        if fee > 0 {
            credit(order.maker, collateral: -Int64(fee), deltas: &deltas)
            if order.side == .buy { unreserve(&order, collateral: Int64(fee)) }
            var kept = fee
            for index in legs.indices {
                let rebate = min(kept, market.fees.makerRebate(shares: legs[index].amount, price: legs[index].price))
                guard rebate > 0 else { continue }
                legs[index].rebate = rebate
                kept -= rebate
                credit(legs[index].maker, collateral: Int64(rebate), deltas: &deltas)
            }
            credit(Ledger.feeCollector, collateral: Int64(kept), deltas: &deltas)
        }
        trades.append(SimTrade(id: id, market: market.conditionID, takerOrderID: order.id, takerOwner: order.owner, taker: order.maker,
                               token: order.token, side: order.side, size: traded, price: average, makerLegs: legs,
                               fee: fee, feeRateBps: market.fees.rateBasisPoints,
                               matchedAt: nowMillis, lastUpdate: nowMillis, deltas: deltas))
        order.tradeIDs.append(id)
        for leg in legs { orders[leg.orderID]?.tradeIDs.append(id) }
        outbox.append(.trade(trades[trades.count - 1]))
        return (making, taking, [id])
    }

    /// Credits (or, negative, debits) collateral and records the move in `deltas`.
    private mutating func credit(_ account: EthereumAddress, collateral amount: Int64,
                                 deltas: inout [(account: EthereumAddress, token: TokenID?, amount: Int64)]) {
        ledger.credit(account, collateral: amount)
        deltas.append((account, nil, amount))
    }

    /// Moves balances for one fill at the maker's price and updates both orders.
    mutating func execute(taker: inout SimOrder, makerID: String, quantity: UInt64, market: SimMarket,
                                  complementary: Bool) -> (takerGave: UInt64, takerGot: UInt64, leg: MakerLeg,
                                                           deltas: [(account: EthereumAddress, token: TokenID?, amount: Int64)]) {
        guard var maker = orders[makerID] else { preconditionFailure("candidate order vanished") }
        let q = Int64(quantity)
        // Collateral the maker side pays or receives, at its own price; the taker side gets the
        // complement so that every fill conserves money exactly.
        let makerValue = Int64(Collateral.cost(of: Shares(micros: quantity), at: Price(micros: maker.price), rounding: .down).micros)
        var deltas: [(account: EthereumAddress, token: TokenID?, amount: Int64)] = []
        func move(_ account: EthereumAddress, _ token: TokenID?, _ amount: Int64) {
            if let token { ledger.credit(account, token: token, shares: amount) } else { ledger.credit(account, collateral: amount) }
            deltas.append((account, token, amount))
        }
        var takerGave: Int64 = 0
        var takerGot: Int64 = 0
        switch (taker.side, complementary) {
        case (.buy, true):  // taker buys A from a seller of A
            let cost = Int64(Collateral.cost(of: Shares(micros: quantity), at: Price(micros: maker.price), rounding: .up).micros)
            move(taker.maker, nil, -cost); move(maker.maker, nil, cost)
            move(maker.maker, taker.token, -q); move(taker.maker, taker.token, q)
            takerGave = cost; takerGot = q
            unreserve(&taker, collateral: cost); unreserve(&maker, shares: q)
        case (.sell, true):  // taker sells A to a buyer of A
            move(maker.maker, nil, -makerValue); move(taker.maker, nil, makerValue)
            move(taker.maker, taker.token, -q); move(maker.maker, taker.token, q)
            takerGave = q; takerGot = makerValue
            unreserve(&taker, shares: q); unreserve(&maker, collateral: makerValue)
        case (.buy, false):  // mint: both buy, one share of each outcome per $1
            let takerCost = q - makerValue
            move(taker.maker, nil, -takerCost); move(maker.maker, nil, -makerValue)
            move(taker.maker, taker.token, q); move(maker.maker, maker.token, q)
            takerGave = takerCost; takerGot = q
            unreserve(&taker, collateral: takerCost); unreserve(&maker, collateral: makerValue)
        case (.sell, false):  // merge: both sell, the pair redeems for $1
            let takerProceeds = q - makerValue
            move(taker.maker, taker.token, -q); move(maker.maker, maker.token, -q)
            move(taker.maker, nil, takerProceeds); move(maker.maker, nil, makerValue)
            takerGave = q; takerGot = takerProceeds
            unreserve(&taker, shares: q); unreserve(&maker, shares: q)
        }
        taker.matched += quantity
        maker.matched += quantity
        adjustLevel(maker, by: -Int64(quantity))
        if maker.remaining == 0 {
            maker.status = .matched
            release(&maker)
            books[maker.token]?.removeAll { $0 == makerID }
        }
        orders[makerID] = maker
        outbox.append(.order(maker, .update))
        let leg = MakerLeg(orderID: maker.id, owner: maker.owner, maker: maker.maker, token: maker.token, side: maker.side,
                           price: maker.price, amount: quantity)
        return (UInt64(takerGave), UInt64(takerGot), leg, deltas)
    }

    mutating func unreserve(_ order: inout SimOrder, collateral amount: Int64) {
        let used = min(amount, order.reserved)
        order.reserved -= used
        ledger.reserve(order.maker, collateral: -used)
    }

    mutating func unreserve(_ order: inout SimOrder, shares amount: Int64) {
        let used = min(amount, order.reserved)
        order.reserved -= used
        ledger.reserve(order.maker, token: order.token, shares: -used)
    }

    /// Gives back whatever an order no longer needs held.
    mutating func release(_ order: inout SimOrder) {
        guard order.reserved > 0 else { return }
        switch order.side {
        case .buy: ledger.reserve(order.maker, collateral: -order.reserved)
        case .sell: ledger.reserve(order.maker, token: order.token, shares: -order.reserved)
        }
        order.reserved = 0
    }

    /// Pays out a resolved market: every share of `winner` becomes $1, `loser` shares expire worthless.
    mutating func settle(winner: TokenID, loser: TokenID) {
        ledger.redeem(winner: winner, loser: loser)
    }
}
