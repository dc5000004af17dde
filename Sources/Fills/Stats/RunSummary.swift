import PolypipeCore

/// One run's execution figures, for `polypipe compare`: the ``ExecutionStats`` of its fill
/// store, plus the slippage tail (p95 per share, nearest rank over surviving fills with an
/// expected price; positive = worse for us).
///
/// ```swift
/// let paper = RunSummary(label: "mirror", ledger: try FillStore(path: a).loadLedger())
/// let plain = RunSummary(label: "clob-sim", ledger: try FillStore(path: b).loadLedger())
/// ```
public struct RunSummary: Sendable, Hashable {
    public let label: String
    public let stats: ExecutionStats
    /// p95 of per-share slippage (price micro-units); nil when no fill has an expected price.
    public let slippageP95Micros: Int64?
    /// Orders the venue refused to place (REJECTED). Actions exec-proc's own risk rules refused
    /// never reached the venue and are not in a fill store.
    public let rejectedOrders: Int
    /// Orders that ended cancelled or expired.
    public let cancelledOrders: Int

    public init(label: String, ledger: FillLedger) {
        self.label = label
        stats = ExecutionStats(ledger: ledger)
        let perShare = ledger.fills.filter { !$0.isVoided }.compactMap { ledger.slippage(of: $0)?.perShare.micros }
        slippageP95Micros = ExecutionStats.nearestRank(perShare, percent: 95)
        rejectedOrders = ledger.orders.filter { $0.state == .rejected }.count
        cancelledOrders = ledger.orders.filter { $0.state == .cancelled || $0.state == .expired }.count
    }

    /// The rows `polypipe compare` prints, in order: a name and this run's value as text.
    public var rows: [(name: String, value: String)] {
        func price(_ micros: Int64?) -> String {
            micros.map { ($0 < 0 ? "-" : "") + MicroUnits.format($0.magnitude, minimumDecimals: 4) } ?? "-"
        }
        let latency = stats.latency
        let rate = stats.fillRateBasisPoints
        return [
            ("orders", "\(stats.orders)"),
            ("rejected by venue", "\(rejectedOrders)"),
            ("cancelled/expired", "\(cancelledOrders)"),
            ("fills", "\(stats.fills)"),
            ("fill rate", "\(rate / 100).\(rate % 100 < 10 ? "0" : "")\(rate % 100)%"),
            ("slippage avg", price(stats.slippage?.averageMicros)),
            ("slippage p95", price(slippageP95Micros)),
            ("fees paid", MicroUnits.format(stats.feesMicros, minimumDecimals: 6)),
            ("fill latency p50", latency.map { "\($0.p50Millis) ms" } ?? "-"),
            ("fill latency p95", latency.map { "\($0.p95Millis) ms" } ?? "-"),
            ("net realized P&L", Signed<Collateral>(micros: stats.realizedPnLMicros).signedText(minimumDecimals: 6)),
        ]
    }
}
