import PolypipeCore
/// Fill tracking for our own orders: trades in, fills, order lifecycles and positions out.
///
/// The ledger is a value: every change goes through a `mutating` method that returns a
/// ``LedgerUpdate`` saying what changed, and the same inputs always give the same ledger. It
/// does no I/O; fill-proc feeds it venue trades (REST polls and user-channel frames, in any
/// mix and order) and persists each update with ``FillStore``.
///
/// Invariants:
/// - a fill is identified by ``FillKey`` (trade id + our order id): seeing a trade again, from
///   either source, counts once;
/// - only legs of orders the ledger tracks (``track(_:)``) are ours; a trade with none is
///   foreign and dropped;
/// - a trade is applied whole or not at all (test matrix SET-09);
/// - a fill's settlement status only moves forward (SET-04); FAILED voids it, and every
///   position is, at all times, exactly the replay of the surviving fills and resolutions in
///   arrival order (SET-02): a void restores the values that were there before the fill, to
///   the pico, when nothing came after it.
///
/// Money is exact (see ``CostBasis``); times are unix milliseconds supplied by the caller.
/// Cost: a change replays the fills of the positions it touches (tens to hundreds per window's
/// token), never the whole ledger.
public struct FillLedger: Sendable {
    /// Fee schedules by market, and the one used for a market without its own.
    public struct Configuration: Sendable, Hashable {
        public var feeSchedules: [String: FeeSchedule]
        public var defaultFeeSchedule: FeeSchedule

        public init(feeSchedules: [String: FeeSchedule] = [:], defaultFeeSchedule: FeeSchedule = .free) {
            self.feeSchedules = feeSchedules
            self.defaultFeeSchedule = defaultFeeSchedule
        }

        public func feeSchedule(market: String) -> FeeSchedule { feeSchedules[market] ?? defaultFeeSchedule }
    }

    /// Everything a ledger is made of; what ``FillStore`` saves and loads.
    public struct Snapshot: Sendable, Hashable {
        public var orders: [OrderRecord]
        public var fills: [FillRecord]
        public var resolutions: [Resolution]
        public var counters: IngestCounters

        public init(orders: [OrderRecord] = [], fills: [FillRecord] = [], resolutions: [Resolution] = [], counters: IngestCounters = IngestCounters()) {
            self.orders = orders
            self.fills = fills
            self.resolutions = resolutions
            self.counters = counters
        }
    }

    public var configuration: Configuration
    public internal(set) var counters = IngestCounters()
    var ordersByID: [OrderID: OrderRecord] = [:]
    package var fillsByKey: [FillKey: FillRecord] = [:]
    /// Fill keys per position and per order, in arrival order.
    package var fillKeysByPosition: [PositionKey: [FillKey]] = [:]
    var fillKeysByOrder: [OrderID: [FillKey]] = [:]
    var resolutionsByMarket: [String: Resolution] = [:]
    var positionsByKey: [PositionKey: Position] = [:]
    var nextSequence: Int64 = 1

    public init(configuration: Configuration = Configuration()) {
        self.configuration = configuration
    }

    /// Rebuilds a ledger from what ``snapshot`` gave (after a restart): the same orders, fills,
    /// statuses, resolutions and counters, and positions recomputed from them.
    public init(configuration: Configuration = Configuration(), restoring snapshot: Snapshot) {
        self.configuration = configuration
        counters = snapshot.counters
        for order in snapshot.orders { ordersByID[order.orderID] = order }
        for fill in snapshot.fills.sorted(by: { $0.sequence < $1.sequence }) {
            fillsByKey[fill.key] = fill
            fillKeysByPosition[fill.positionKey, default: []].append(fill.key)
            fillKeysByOrder[fill.key.orderID, default: []].append(fill.key)
            nextSequence = max(nextSequence, fill.sequence + 1)
        }
        for resolution in snapshot.resolutions {
            resolutionsByMarket[resolution.market] = resolution
            nextSequence = max(nextSequence, resolution.sequence + 1)
        }
        for key in fillKeysByPosition.keys { recomputePosition(key) }
        for orderID in ordersByID.keys { recomputeFilled(orderID: orderID) }
    }

    public var snapshot: Snapshot {
        Snapshot(orders: orders, fills: fills, resolutions: resolutionsByMarket.values.sorted { $0.sequence < $1.sequence }, counters: counters)
    }

    // MARK: Queries

    /// Every fill, voided ones included, in arrival order.
    public var fills: [FillRecord] { fillsByKey.values.sorted { $0.sequence < $1.sequence } }
    public func fill(_ key: FillKey) -> FillRecord? { fillsByKey[key] }
    /// Every tracked order, oldest first.
    public var orders: [OrderRecord] { ordersByID.values.sorted { ($0.createdAtMillis, $0.orderID) < ($1.createdAtMillis, $1.orderID) } }
    public func order(_ orderID: OrderID) -> OrderRecord? { ordersByID[orderID] }
    /// Every position that has had a fill, flat ones included, ordered by ``PositionKey``.
    public var positions: [Position] { positionsByKey.values.sorted { $0.key < $1.key } }
    public func position(_ key: PositionKey) -> Position? { positionsByKey[key] }
    public func resolution(market: String) -> Resolution? { resolutionsByMarket[market] }
    /// Fills of one order, in arrival order, voided ones included.
    public func fills(orderID: OrderID) -> [FillRecord] { (fillKeysByOrder[orderID] ?? []).compactMap { fillsByKey[$0] } }

    /// Submit → match for this fill (ms), never negative: the venue's match time has one-second
    /// resolution, so a fill matched within the submit's second can read as "before" it; that
    /// is reported as 0. Nil when the order's submit time is unknown.
    public func latencyMillis(of fill: FillRecord) -> Int64? {
        guard let submitted = ordersByID[fill.key.orderID]?.submittedAtMillis else { return nil }
        return max(0, fill.matchedAtMillis - submitted)
    }

    /// Submit → first match of one order (ms) over its surviving fills: the order's fill latency.
    public func firstFillLatencyMillis(orderID: OrderID) -> Int64? {
        let surviving = fills(orderID: orderID).filter { !$0.isVoided }
        guard let first = surviving.min(by: { $0.matchedAtMillis < $1.matchedAtMillis }) else { return nil }
        return latencyMillis(of: first)
    }

    /// The fill's price against its action's expected price; nil when the expected price is unknown.
    public func slippage(of fill: FillRecord) -> Slippage? {
        guard let expected = ordersByID[fill.key.orderID]?.expectedPrice else { return nil }
        return Slippage(side: fill.side, price: fill.price, expected: expected)
    }

    // MARK: Derived state

    /// Replays the surviving fills and the resolution of one position in arrival order, into
    /// three books: every surviving fill; CONFIRMED fills only; and the worst case for selling
    /// (CONFIRMED fills and provisional SELLs).
    mutating func recomputePosition(_ key: PositionKey) {
        let keyed = (fillKeysByPosition[key] ?? []).compactMap { fillsByKey[$0] }
        guard !keyed.isEmpty else { positionsByKey[key] = nil; return }
        let resolution = resolutionsByMarket[key.market]
        var book = CostBasis(), confirmed = CostBasis(), worstCase = CostBasis()
        var fees: UInt64 = 0
        var count = 0
        var last = resolution?.atMillis ?? Int64.min
        var pendingResolution = resolution
        func settleIfDue(before sequence: Int64) {
            guard let due = pendingResolution, due.sequence < sequence else { return }
            let payout = due.payout(for: key.token)
            book.settle(payout: payout)
            confirmed.settle(payout: payout)
            worstCase.settle(payout: payout)
            pendingResolution = nil
        }
        for fill in keyed {
            // Our clock only (when we saw it, when its status changed): a grace period measured
            // against the venue's match time would move with the venue's clock skew.
            last = max(last, fill.firstSeenAtMillis, fill.statusChangedAtMillis)
            settleIfDue(before: fill.sequence)
            guard !fill.isVoided else { continue }
            book.apply(side: fill.side, shares: fill.size, price: fill.price)
            if fill.isConfirmed || fill.side == .sell { worstCase.apply(side: fill.side, shares: fill.size, price: fill.price) }
            if fill.isConfirmed { confirmed.apply(side: fill.side, shares: fill.size, price: fill.price) }
            fees += fill.fee.micros
            count += 1
        }
        settleIfDue(before: .max)
        positionsByKey[key] = Position(key: key, book: book, confirmedBook: confirmed,
                                       sellableShares: Shares(micros: UInt64(max(0, worstCase.size))), fees: Collateral(micros: fees),
                                       fillCount: count, lastActivityMillis: last, isResolved: resolution != nil)
    }

    /// Sets an order's filled size from its surviving fills; true when it changed.
    @discardableResult
    mutating func recomputeFilled(orderID: OrderID, atMillis: Int64? = nil) -> Bool {
        guard var order = ordersByID[orderID] else { return false }
        let total = fills(orderID: orderID).filter { !$0.isVoided }.reduce(UInt64(0)) { $0 + $1.size.micros }
        guard total != order.filled.micros else { return false }
        order.filled = Shares(micros: total)
        if let atMillis { order.updatedAtMillis = max(order.updatedAtMillis, atMillis) }
        ordersByID[orderID] = order
        return true
    }
}
