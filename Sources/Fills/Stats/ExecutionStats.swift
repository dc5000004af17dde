import PolypipeCore
/// The execution statistics of a run (`polypipe stats`, the end of `polypipe up`): orders,
/// fills and fill rate, fill latency, slippage, P&L and positions, in total and per asset.
///
/// Computed from a ``FillLedger``; voided fills count nowhere except ``voidedFills``. A value
/// (`Codable`) so `--json` prints exactly what the text shows. Money is in micro-units (fields
/// ending in `Micros`), latency in milliseconds; no floating point.
///
/// Definitions:
/// - ``orders``: tracked orders that were sent (every state but PENDING).
/// - ``fillRateBasisPoints``: the share of those orders with at least one surviving fill
///   (10 000 = 100 %), rounded half up.
/// - ``latency``: per order, submit → first surviving fill; the average rounded half up, the
///   percentiles by nearest rank (see ``nearestRank(_:percent:)``).
/// - ``slippage``: share-weighted over fills whose action had an expected price; positive =
///   worse for us (see ``Slippage``).
/// - P&L: realized is net of fees (each position's and the total), summed exactly and floored
///   once; unrealized only for positions given a mark.
public struct ExecutionStats: Sendable, Hashable, Codable {
    public struct Latency: Sendable, Hashable, Codable {
        /// Orders measured.
        public var count: Int
        public var averageMillis: Int64
        public var p50Millis: Int64
        public var p95Millis: Int64
        public var p99Millis: Int64
    }

    public struct SlippageSummary: Sendable, Hashable, Codable {
        /// Fills measured.
        public var fills: Int
        /// Share-weighted average per share, price micro-units, rounded half away from zero.
        public var averageMicros: Int64
        /// Share-weighted average relative to the expected price, millionths (1 bp = 100).
        public var averageRelativeMicros: Int64
    }

    /// One position's line.
    public struct AssetLine: Sendable, Hashable, Codable {
        public var label: String
        public var market: String
        public var token: String
        public var orders: Int
        public var fills: Int
        public var sizeMicros: Int64
        public var averagePriceMicros: UInt64
        public var realizedPnLMicros: Int64
        public var unrealizedPnLMicros: Int64?
        public var feesMicros: UInt64
    }

    public var orders: Int
    /// Orders with at least one surviving fill.
    public var filledOrders: Int
    /// Surviving fills.
    public var fills: Int
    /// Fills voided by FAILED.
    public var voidedFills: Int
    public var fillRateBasisPoints: Int
    public var latency: Latency?
    public var slippage: SlippageSummary?
    public var realizedPnLMicros: Int64
    /// Sum over the positions that have a mark; nil when none has.
    public var unrealizedPnLMicros: Int64?
    public var feesMicros: UInt64
    /// Positions with a non-zero size.
    public var activePositions: Int
    public var assets: [AssetLine]

    /// - Parameters:
    ///   - marks: the book mid of each position to mark (unrealized P&L); unmarked positions
    ///     show none.
    ///   - labels: a human name per position ("btc-up"); by default the token's last digits.
    public init(ledger: FillLedger, marks: [PositionKey: Price] = [:], labels: [PositionKey: String] = [:]) {
        let sent = ledger.orders.filter { $0.stage != .pending || $0.filled.micros > 0 }
        let surviving = ledger.fills.filter { !$0.isVoided }
        orders = sent.count
        filledOrders = sent.filter { $0.filled.micros > 0 }.count
        fills = surviving.count
        voidedFills = ledger.fills.count - surviving.count
        fillRateBasisPoints = orders == 0 ? 0 : (filledOrders * 20_000 + orders) / (orders * 2)
        latency = Self.latency(sent.compactMap { ledger.firstFillLatencyMillis(orderID: $0.orderID) })
        slippage = Self.slippage(surviving.compactMap { fill in ledger.slippage(of: fill).map { (fill, $0) } }, ledger: ledger)

        var realized: Int128 = 0
        var unrealized: Int64?
        var fees: UInt64 = 0
        var lines: [AssetLine] = []
        for position in ledger.positions {
            realized += position.book.realizedPicos
            fees += position.fees.micros
            let marked = marks[position.key].map { position.unrealizedPnL(mark: $0).micros }
            if let marked { unrealized = (unrealized ?? 0) + marked }
            let key = position.key
            lines.append(AssetLine(label: labels[key] ?? "…" + String(key.token.description.suffix(8)), market: key.market,
                                   token: key.token.description,
                                   orders: sent.filter { PositionKey(market: $0.market, token: $0.token) == key }.count,
                                   fills: position.fillCount, sizeMicros: position.size.micros,
                                   averagePriceMicros: position.averagePrice.micros, realizedPnLMicros: position.realizedPnL.micros,
                                   unrealizedPnLMicros: marked, feesMicros: position.fees.micros))
        }
        // Net of fees (whole micro-units), taken off the exact sum before its one floor.
        realizedPnLMicros = CostBasis.floorToMicros(realized - Int128(fees) * 1_000_000)
        unrealizedPnLMicros = unrealized
        feesMicros = fees
        activePositions = ledger.positions.filter(\.isOpen).count
        assets = lines
    }

    /// The nearest-rank percentile: the smallest value such that at least `percent` % of the
    /// values are at or below it, i.e. the value at rank ⌈percent/100 × n⌉ (1-based) of the
    /// sorted values. Always one of the values (never interpolated); nil when there are none.
    /// - Parameter percent: 1 to 100.
    public static func nearestRank(_ values: [Int64], percent: Int) -> Int64? {
        guard !values.isEmpty, (1...100).contains(percent) else { return nil }
        let sorted = values.sorted()
        let rank = (percent * sorted.count + 99) / 100
        return sorted[max(rank, 1) - 1]
    }

    private static func latency(_ values: [Int64]) -> Latency? {
        guard let p50 = nearestRank(values, percent: 50), let p95 = nearestRank(values, percent: 95),
              let p99 = nearestRank(values, percent: 99) else { return nil }
        let total = values.reduce(Int128(0)) { $0 + Int128($1) }
        let count = Int128(values.count)
        return Latency(count: values.count, averageMillis: Int64((total * 2 + count) / (count * 2)), p50Millis: p50, p95Millis: p95, p99Millis: p99)
    }

    private static func slippage(_ measured: [(FillRecord, Slippage)], ledger: FillLedger) -> SlippageSummary? {
        var weighted: Int128 = 0
        var shares: Int128 = 0
        var expectedValue: Int128 = 0
        for (fill, slippage) in measured {
            weighted += Int128(slippage.perShare.micros) * Int128(fill.size.micros)
            shares += Int128(fill.size.micros)
            expectedValue += Int128(ledger.order(fill.key.orderID)?.expectedPrice?.micros ?? 0) * Int128(fill.size.micros)
        }
        guard shares > 0 else { return nil }
        return SlippageSummary(fills: measured.count, averageMicros: Slippage.divideRounded(weighted, by: shares),
                               averageRelativeMicros: expectedValue == 0 ? 0 : Slippage.divideRounded(weighted * 1_000_000, by: expectedValue))
    }
}
