import PolypipeCore

/// The simulator's books, balances and matching (spec §7).
///
/// Per token, price-time priority at the resting order's price; across the two tokens of a
/// market the unified book of the CTF exchange: BUY A meets SELL A (complementary), BUY A meets
/// BUY B when pA + pB ≥ 1 (mint), SELL A meets SELL B when pA + pB ≤ 1 (merge). Price
/// improvement goes to the taker. Everything is in integer micro-units.
///
/// Every trade pays its market's fees (``MarketFees``; `MatchingEngine+Matching.swift`), and on
/// a market with ``SimMarket/takerDelay`` a marketable order first waits out the taker delay
/// (`MatchingEngine+Delay.swift`). Cancels, expiry and settlement are in
/// `MatchingEngine+Lifecycle.swift`.
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
        /// The sim's own agents are the market itself: their orders never wait out the taker
        /// delay (which exists to slow API takers down).
        var skipsTakerDelay = false
        /// Trade against this resting order only (the agents' deliberate takes); nil: the book.
        var onlyAgainst: String?
        /// Never trade with an order of the same owner (the mirror's orders with each other).
        var skipsOwnOrders = false
        /// Exempt from the minimum size and the $1 marketable minimum: the mirror copies the
        /// upstream's levels and queue fills whatever their size (the upstream's orders passed
        /// its own checks; these stand for them).
        var exemptFromMinimums = false
    }

    /// The answer to a placement.
    struct Placement: Equatable {
        /// `live`, `matched`, `delayed` (held by the taker delay), or `unmatched` (FAK
        /// remainder cancelled / nothing rested).
        let status: String
        /// Collateral / shares the taker gave and received on entry (decimal text, as the venue).
        let making: UInt64
        let taking: UInt64
        let tradeIDs: [String]
    }

    // Written only by this type and its extensions (`MatchingEngine+*.swift`), which is why
    // they are not `private(set)`: Swift's file-private setter would lock the extensions out.
    var ledger = Ledger()
    var orders: [String: SimOrder] = [:]
    var trades: [SimTrade] = []
    /// Open order ids per token, in arrival order.
    var books: [TokenID: [String]] = [:]
    /// Orders held by the taker delay, in arrival order, with the market they were placed in.
    var delayed: [(id: String, market: SimMarket)] = []
    /// Open size per price, per token and side: what ``book(_:)`` shows, kept up to date as
    /// orders rest, fill and cancel, so reading a book or checking whether anything crosses
    /// does not scan every resting order.
    var levels: [TokenID: [Side: [UInt64: UInt64]]] = [:]
    var sequence: UInt64 = 0
    /// Events since the last ``drainEvents()``.
    var outbox: [EngineEvent] = []
    var tradeCounter: UInt64 = 0
    let seed: UInt64

    /// How long a marketable order waits on a market with ``SimMarket/takerDelay`` (spec §4.4
    /// `itode`, §9).
    static let takerDelayMillis: Int64 = 250

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
        guard size >= market.minimumSize.micros || incoming.exemptFromMinimums else {
            throw .badRequest("order \(incoming.id) is invalid. Size (\(MicroUnits.format(size))) lower than the minimum: \(market.minimumSize)")
        }
        if incoming.orderType == .gtd {
            guard incoming.expiration > UInt64(max(0, nowMillis / 1000)) else { throw .invalidExpiration }
        } else if incoming.expiration != 0 {
            throw .invalidExpiration
        }

        // Balance with reservations: a BUY holds its collateral, a SELL its shares.
        var reservation = Int64(incoming.makerAmount)
        switch incoming.side {
        case .buy: guard ledger.availableCollateral(incoming.maker) >= reservation else { throw .notEnoughBalance }
        case .sell: guard ledger.availableShares(incoming.maker, incoming.token) >= reservation else { throw .notEnoughBalance }
        }

        // What would cross, best first.
        let candidates = crossing(side: incoming.side, token: incoming.token, limit: price, market: market)
            .filter { incoming.onlyAgainst == nil || $0.order.id == incoming.onlyAgainst }
            .filter { !incoming.skipsOwnOrders || $0.order.owner != incoming.owner }
        let crossable = candidates.reduce(UInt64(0)) { $0 + $1.order.remaining }
        if incoming.postOnly && !candidates.isEmpty { throw .postOnlyCrosses }
        let takes = marketable || !candidates.isEmpty
        if incoming.side == .buy && takes {
            // $1 minimum for a marketable BUY (spec §2.4): FOK/FAK, or a limit BUY that crosses.
            guard incoming.makerAmount >= 1_000_000 || incoming.exemptFromMinimums else {
                throw .badRequest("invalid amount for a marketable BUY order ($\(MicroUnits.format(incoming.makerAmount))), min size: $1")
            }
            // A BUY that takes pays its fee in pUSD on top of the price, so the fee is held
            // back too (spec §2.5: the SDK's fee adjustment reserves pUSD for it).
            reservation += Int64(market.fees.maximumTakerFee(shares: size, limit: price))
            guard ledger.availableCollateral(incoming.maker) >= reservation else { throw .notEnoughBalance }
        }
        if incoming.orderType == .fok && crossable < size { throw .fokNotFilled }
        if incoming.orderType == .fak && candidates.isEmpty { throw .fakNoMatch }

        // Accepted: reserve, then match (or wait out the taker delay first).
        sequence += 1
        var order = SimOrder(id: incoming.id, owner: incoming.owner, maker: incoming.maker, market: market.conditionID,
                             token: incoming.token, side: incoming.side, price: price, size: size, orderType: incoming.orderType,
                             expiration: incoming.expiration, sequence: sequence, createdAt: nowMillis / 1000, reserved: reservation)
        switch incoming.side {
        case .buy: ledger.reserve(incoming.maker, collateral: reservation)
        case .sell: ledger.reserve(incoming.maker, token: incoming.token, shares: reservation)
        }
        if takes && market.takerDelay && !incoming.skipsTakerDelay {
            hold(&order, market: market, nowMillis: nowMillis)
            return Placement(status: "delayed", making: 0, taking: 0, tradeIDs: [])
        }
        outbox.append(.order(order, .placement))
        return run(&order, against: candidates, market: market, nowMillis: nowMillis)
    }

    /// Matches an accepted order against `candidates`, then rests, kills or completes it and
    /// reports what happened (shared by placement and the end of a taker delay).
    mutating func run(_ order: inout SimOrder, against candidates: [Candidate], market: SimMarket, nowMillis: Int64) -> Placement {
        let marketable = order.orderType == .fok || order.orderType == .fak
        let (making, taking, tradeIDs) = match(&order, against: candidates, market: market, nowMillis: nowMillis)
        let status: String
        if order.remaining == 0 {
            order.status = .matched
            status = "matched"
        } else if marketable {
            order.status = .canceled  // FAK remainder (FOK never gets here partly filled)
            status = tradeIDs.isEmpty ? "unmatched" : "matched"
        } else {
            order.status = .live
            status = tradeIDs.isEmpty ? "live" : "matched"
        }
        if !order.isOpen { release(&order) }
        if !tradeIDs.isEmpty { outbox.append(.order(order, .update)) }
        if order.status == .canceled { outbox.append(.order(order, .cancellation)) }
        orders[order.id] = order
        if order.isOpen {
            books[order.token, default: []].append(order.id)
            adjustLevel(order, by: Int64(order.remaining))
        }
        return Placement(status: status, making: making, taking: taking, tradeIDs: tradeIDs)
    }

    func book(_ token: TokenID) -> (bids: [(price: UInt64, size: UInt64)], asks: [(price: UInt64, size: UInt64)]) {
        let bids = levels[token]?[.buy] ?? [:]
        let asks = levels[token]?[.sell] ?? [:]
        // The venue's order: bids ascending, asks descending (best last).
        return (bids.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }, asks.sorted { $0.key > $1.key }.map { ($0.key, $0.value) })
    }

    /// Adds `delta` shares at `order`'s price level (a negative delta when it fills or leaves).
    mutating func adjustLevel(_ order: SimOrder, by delta: Int64) {
        let current = Int64(levels[order.token]?[order.side]?[order.price] ?? 0) + delta
        levels[order.token, default: [:]][order.side, default: [:]][order.price] = current > 0 ? UInt64(current) : nil
    }

    /// Whether any resting level crosses `limit` for an incoming `side` order on `token`: the
    /// same token's opposite side directly, or the sibling's same side mirrored at 1 − p.
    func anythingCrosses(side: Side, token: TokenID, limit: UInt64, sibling: TokenID?) -> Bool {
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
