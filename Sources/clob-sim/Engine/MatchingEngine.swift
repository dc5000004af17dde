import Shared

/// The simulator's books, balances and matching (spec §7).
///
/// Per token, price-time priority at the resting order's price; across the two tokens of a
/// market the unified book of the CTF exchange: BUY A meets SELL A (complementary), BUY A meets
/// BUY B when pA + pB ≥ 1 (mint), SELL A meets SELL B when pA + pB ≤ 1 (merge). Price
/// improvement goes to the taker. Everything is in integer micro-units.
///
/// Not thread-safe: the owning actor (``Venue``) serializes every call.
struct MatchingEngine {
    /// What an incoming order is, once its signature, owner and amounts have been checked.
    struct Incoming {
        let id: String
        let owner: String
        let maker: EthereumAddress
        let market: SimMarket
        let token: TokenID
        let side: Side
        let makerAmount: UInt64
        let takerAmount: UInt64
        let orderType: OrderType
        let postOnly: Bool
        let expiration: UInt64
    }

    /// The answer to a placement.
    struct Placement: Equatable {
        /// `live`, `matched`, or `unmatched` (FAK remainder cancelled / nothing rested).
        let status: String
        /// Collateral / shares the taker gave and received on entry (decimal text, as the venue).
        let making: UInt64
        let taking: UInt64
        let tradeIDs: [String]
    }

    private(set) var ledger = Ledger()
    private(set) var orders: [String: SimOrder] = [:]
    private(set) var trades: [SimTrade] = []
    private var books: [TokenID: [String]] = [:]  // open order ids per token, in arrival order
    /// Open size per price, per token and side: what ``book(_:)`` shows, kept up to date as
    /// orders rest, fill and cancel, so reading a book or checking whether anything crosses
    /// does not scan every resting order.
    private var levels: [TokenID: [Side: [UInt64: UInt64]]] = [:]
    private var sequence: UInt64 = 0
    /// Events since the last ``drainEvents()``.
    private var outbox: [EngineEvent] = []
    private var tradeCounter: UInt64 = 0
    private let seed: UInt64

    init(seed: UInt64 = 1) { self.seed = seed }

    /// Hands over (and clears) the queued events.
    mutating func drainEvents() -> [EngineEvent] {
        defer { outbox.removeAll() }
        return outbox
    }

    mutating func fund(_ account: EthereumAddress, collateral: Int64) {
        ledger.credit(account, collateral: collateral)
    }

    mutating func fund(_ account: EthereumAddress, token: TokenID, shares: Int64) {
        ledger.credit(account, token: token, shares: shares)
    }

    // MARK: Placement

    /// Validates against the market rules and balances, then matches.
    /// - Throws: ``SimError`` with the venue's message; nothing changes when it throws.
    mutating func place(_ incoming: Incoming, nowMillis: Int64) throws(SimError) -> Placement {
        let market = incoming.market
        guard market.acceptingOrders, !market.closed else { throw .marketNotReady }
        guard orders[incoming.id] == nil else { throw .duplicated }
        if incoming.postOnly && !incoming.orderType.allowsPostOnly { throw .postOnlyType }
        // Amounts beyond $1e9 / 1e9 shares are refused before any arithmetic can overflow.
        guard incoming.makerAmount <= Self.maxAmount, incoming.takerAmount <= Self.maxAmount else {
            throw .badRequest("invalid amounts: an order may not exceed \(MicroUnits.format(Self.maxAmount))")
        }
        let tick = market.tick
        let tickMicros = UInt64(tick.value.units(atScale: 6) ?? 10_000)
        let size = incoming.side == .buy ? incoming.takerAmount : incoming.makerAmount
        let other = incoming.side == .buy ? incoming.makerAmount : incoming.takerAmount
        guard size > 0 else { throw .badRequest("order \(incoming.id) is invalid. Size (0) lower than the minimum: \(market.minimumSize)") }
        let marketable = incoming.orderType == .fok || incoming.orderType == .fak

        // Price: exact on the tick grid for resting orders; for FOK/FAK the worst price, rounded
        // to the grid in the order's own favour (the SDK's amounts are not exact).
        let (rawPrice, exact) = (UInt128(other) * 1_000_000).quotientAndRemainder(dividingBy: UInt128(size))
        guard rawPrice < 1_000_000 else {
            throw .badRequest("order \(incoming.id) is invalid. Price (\(MicroUnits.format(UInt64(min(rawPrice, UInt128(Self.maxAmount)))))) breaks minimum tick size rule: \(tick)")
        }
        var price = UInt64(rawPrice)
        if marketable {
            price = incoming.side == .buy ? price / tickMicros * tickMicros
                                          : (price + (exact > 0 ? 1 : 0) + tickMicros - 1) / tickMicros * tickMicros
        } else if exact != 0 || price % tickMicros != 0 {
            throw .badRequest("order \(incoming.id) is invalid. Price (\(MicroUnits.format(price))) breaks minimum tick size rule: \(tick)")
        }
        guard price >= tickMicros, price <= 1_000_000 - tickMicros else {
            throw .badRequest("order \(incoming.id) is invalid. Price (\(MicroUnits.format(price))) breaks minimum tick size rule: \(tick)")
        }
        // Precision (spec §2.4).
        let amountDecimals = tick.precision.amount
        if marketable {
            guard incoming.makerAmount % 10_000 == 0 else {
                throw .badRequest("invalid amounts, the market \(incoming.side == .buy ? "buy" : "sell") orders maker amount supports a max accuracy of 2 decimals, taker amount a max of \(amountDecimals) decimals")
            }
            guard incoming.takerAmount % Self.pow10(6 - amountDecimals) == 0 else {
                throw .badRequest("invalid amounts, the market \(incoming.side == .buy ? "buy" : "sell") orders maker amount supports a max accuracy of 2 decimals, taker amount a max of \(amountDecimals) decimals")
            }
        } else {
            guard size % 10_000 == 0 else {
                throw .badRequest("Size \(MicroUnits.format(size)) has more than 2 decimal places. Maximum lot size is 2")
            }
        }
        guard size >= market.minimumSize.micros else {
            throw .badRequest("order \(incoming.id) is invalid. Size (\(MicroUnits.format(size))) lower than the minimum: \(market.minimumSize)")
        }
        if incoming.orderType == .gtd {
            guard incoming.expiration > UInt64(max(0, nowMillis / 1000)) else { throw .invalidExpiration }
        } else if incoming.expiration != 0 {
            throw .invalidExpiration
        }

        // Balance with reservations: a BUY holds its collateral, a SELL its shares.
        let reservation: Int64
        switch incoming.side {
        case .buy:
            reservation = Int64(incoming.makerAmount)
            guard ledger.availableCollateral(incoming.maker) >= reservation else { throw .notEnoughBalance }
        case .sell:
            reservation = Int64(incoming.makerAmount)
            guard ledger.availableShares(incoming.maker, incoming.token) >= reservation else { throw .notEnoughBalance }
        }

        // What would cross, best first.
        let candidates = crossing(side: incoming.side, token: incoming.token, limit: price, market: market, excludingOwner: nil)
        let crossable = candidates.reduce(UInt64(0)) { $0 + $1.order.remaining }
        if incoming.postOnly && !candidates.isEmpty { throw .postOnlyCrosses }
        if incoming.side == .buy && (marketable || !candidates.isEmpty) {
            // $1 minimum for a marketable BUY (spec §2.4): FOK/FAK, or a limit BUY that crosses.
            guard incoming.makerAmount >= 1_000_000 else {
                throw .badRequest("invalid amount for a marketable BUY order ($\(MicroUnits.format(incoming.makerAmount))), min size: $1")
            }
        }
        if incoming.orderType == .fok && crossable < size { throw .fokNotFilled }
        if incoming.orderType == .fak && candidates.isEmpty { throw .fakNoMatch }

        // Accepted: reserve, then match.
        sequence += 1
        var order = SimOrder(id: incoming.id, owner: incoming.owner, maker: incoming.maker, market: market.conditionID,
                             token: incoming.token, side: incoming.side, price: price, size: size, orderType: incoming.orderType,
                             expiration: incoming.expiration, sequence: sequence, createdAt: nowMillis / 1000, reserved: reservation)
        switch incoming.side {
        case .buy: ledger.reserve(incoming.maker, collateral: reservation)
        case .sell: ledger.reserve(incoming.maker, token: incoming.token, shares: reservation)
        }
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
        outbox.append(.order(order, .placement))
        var tradeIDs: [String] = []
        if !legs.isEmpty {
            tradeCounter += 1
            let id = Self.tradeID(seed: seed, counter: tradeCounter)
            let traded = legs.reduce(UInt64(0)) { $0 + $1.amount }
            let average = incoming.side == .buy ? UInt64((UInt128(making) * 1_000_000) / UInt128(max(traded, 1)))
                                                : UInt64((UInt128(taking) * 1_000_000) / UInt128(max(traded, 1)))
            trades.append(SimTrade(id: id, market: market.conditionID, takerOrderID: order.id, takerOwner: order.owner, taker: order.maker,
                                   token: order.token, side: order.side, size: traded, price: average, makerLegs: legs,
                                   matchedAt: nowMillis, lastUpdate: nowMillis, deltas: deltas))
            tradeIDs.append(id)
            order.tradeIDs.append(id)
            for leg in legs { orders[leg.orderID]?.tradeIDs.append(id) }
            outbox.append(.trade(trades[trades.count - 1]))
        }

        let status: String
        if order.remaining == 0 {
            order.status = .matched
            status = "matched"
        } else if marketable {
            order.status = .canceled  // FAK remainder (FOK never gets here partly filled)
            status = legs.isEmpty ? "unmatched" : "matched"
        } else {
            status = legs.isEmpty ? "live" : "matched"
        }
        if !order.isOpen { release(&order) }
        if !legs.isEmpty { outbox.append(.order(order, .update)) }
        if order.status == .canceled { outbox.append(.order(order, .cancellation)) }
        orders[order.id] = order
        if order.isOpen {
            books[order.token, default: []].append(order.id)
            adjustLevel(order, by: Int64(order.remaining))
        }
        return Placement(status: status, making: making, taking: taking, tradeIDs: tradeIDs)
    }

    /// A resting order that would trade with an incoming one, at the incoming order's
    /// effective price.
    private struct Candidate {
        let order: SimOrder
        let effectivePrice: UInt64
        let complementary: Bool
    }

    private func crossing(side: Side, token: TokenID, limit: UInt64, market: SimMarket, excludingOwner: String?) -> [Candidate] {
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

    /// Moves balances for one fill at the maker's price and updates both orders.
    private mutating func execute(taker: inout SimOrder, makerID: String, quantity: UInt64, market: SimMarket,
                                  complementary: Bool) -> (takerGave: UInt64, takerGot: UInt64, leg: MakerLeg,
                                                           deltas: [(account: EthereumAddress, token: TokenID?, amount: Int64)]) {
        guard var maker = orders[makerID] else { preconditionFailure("candidate order vanished") }
        let q = Int64(quantity)
        // Collateral the maker side pays or receives, at its own price; the taker side gets the
        // complement so that every fill conserves money exactly.
        let makerValue = Int64((UInt128(quantity) * UInt128(maker.price)) / 1_000_000)
        var deltas: [(account: EthereumAddress, token: TokenID?, amount: Int64)] = []
        func move(_ account: EthereumAddress, _ token: TokenID?, _ amount: Int64) {
            if let token { ledger.credit(account, token: token, shares: amount) } else { ledger.credit(account, collateral: amount) }
            deltas.append((account, token, amount))
        }
        var takerGave: Int64 = 0
        var takerGot: Int64 = 0
        switch (taker.side, complementary) {
        case (.buy, true):  // taker buys A from a seller of A
            let cost = Int64((UInt128(quantity) * UInt128(maker.price) + 999_999) / 1_000_000)
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

    private mutating func unreserve(_ order: inout SimOrder, collateral amount: Int64) {
        let used = min(amount, order.reserved)
        order.reserved -= used
        ledger.reserve(order.maker, collateral: -used)
    }

    private mutating func unreserve(_ order: inout SimOrder, shares amount: Int64) {
        let used = min(amount, order.reserved)
        order.reserved -= used
        ledger.reserve(order.maker, token: order.token, shares: -used)
    }

    /// Gives back whatever an order no longer needs held.
    private mutating func release(_ order: inout SimOrder) {
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

    // MARK: Cancels and expiry

    /// Cancels an open order of `owner`; returns the reason when it cannot.
    mutating func cancel(_ id: String, owner: String, status: SimOrder.Status = .canceled) -> String? {
        guard var order = orders[id], order.owner == owner else { return "Order not found or already canceled" }
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

    /// Open order ids of `owner`, optionally narrowed to a market and/or token.
    func openOrderIDs(owner: String, market: String? = nil, token: TokenID? = nil) -> [String] {
        orders.values.filter { $0.owner == owner && $0.isOpen && (market == nil || $0.market == market) && (token == nil || $0.token == token) }
            .sorted { $0.sequence < $1.sequence }.map(\.id)
    }

    /// Cancels GTD orders whose expiration has come (the venue acts about a minute early).
    mutating func expire(nowSeconds: Int64) -> [String] {
        let due = orders.values.filter { $0.isOpen && $0.orderType == .gtd && Int64($0.expiration) - 60 <= nowSeconds }.map { ($0.id, $0.owner) }
        for (id, owner) in due { _ = cancel(id, owner: owner) }
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

    func book(_ token: TokenID) -> (bids: [(price: UInt64, size: UInt64)], asks: [(price: UInt64, size: UInt64)]) {
        let bids = levels[token]?[.buy] ?? [:]
        let asks = levels[token]?[.sell] ?? [:]
        // The venue's order: bids ascending, asks descending (best last).
        return (bids.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }, asks.sorted { $0.key > $1.key }.map { ($0.key, $0.value) })
    }

    /// Adds `delta` shares at `order`'s price level (a negative delta when it fills or leaves).
    private mutating func adjustLevel(_ order: SimOrder, by delta: Int64) {
        let current = Int64(levels[order.token]?[order.side]?[order.price] ?? 0) + delta
        levels[order.token, default: [:]][order.side, default: [:]][order.price] = current > 0 ? UInt64(current) : nil
    }

    /// Whether any resting level crosses `limit` for an incoming `side` order on `token`: the
    /// same token's opposite side directly, or the sibling's same side mirrored at 1 − p.
    private func anythingCrosses(side: Side, token: TokenID, limit: UInt64, sibling: TokenID?) -> Bool {
        let direct = levels[token]?[side == .buy ? .sell : .buy] ?? [:]
        let mirrored = sibling.flatMap { levels[$0]?[side] } ?? [:]
        switch side {
        case .buy: return direct.keys.contains { $0 <= limit } || mirrored.keys.contains { 1_000_000 - $0 <= limit }
        case .sell: return direct.keys.contains { $0 >= limit } || mirrored.keys.contains { 1_000_000 - $0 >= limit }
        }
    }

    /// The largest amount an order may carry, in micro-units ($1 000 000 000 or 1e9 shares).
    static let maxAmount: UInt64 = 1_000_000_000_000_000

    static func pow10(_ exponent: Int) -> UInt64 {
        var value: UInt64 = 1
        for _ in 0..<max(0, exponent) { value *= 10 }
        return value
    }

    /// A UUID-shaped trade id, reproducible from the seed.
    static func tradeID(seed: UInt64, counter: UInt64) -> String {
        let hex = Hex.encode(Keccak256.hash(utf8: "trade:\(seed):\(counter)"), prefix: false)
        let chars = Array(hex.prefix(32))
        return String(chars[0..<8]) + "-" + String(chars[8..<12]) + "-" + String(chars[12..<16]) + "-" + String(chars[16..<20]) + "-" + String(chars[20..<32])
    }
}
