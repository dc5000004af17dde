import PolypipeCore
/// The daily realized-loss kill switch: realized P&L (from fill-proc) against its value at the
/// start of the UTC day; a loss of ``limit`` or more is a `daily_loss` finding, critical by
/// default, so recon-proc halts exec-proc.
///
/// The day's starting value is the first one seen that day: after a recon-proc restart the
/// count starts again from the restart (the limit is then per day *and* per run, never looser
/// within a run). Unrealized P&L does not count — the limit is on realized losses.
public struct DailyLossWatch: Sendable {
    public let limit: Collateral
    private var day: Int64?
    private var realizedAtDayStart: Int64 = 0

    public init(limit: Collateral) {
        self.limit = limit
    }

    /// - Returns: the finding while today's realized loss is at or beyond the limit.
    public mutating func observe(realizedMicros: Int64, nowMillis: Int64, severity: Severity) -> Finding? {
        let today = nowMillis >= 0 ? nowMillis / 86_400_000 : (nowMillis - 86_399_999) / 86_400_000
        if day != today {
            day = today
            realizedAtDayStart = realizedMicros
        }
        let loss = realizedAtDayStart - realizedMicros
        guard loss > 0, UInt64(loss) >= limit.micros else { return nil }
        return Finding(kind: .dailyLoss, severity: severity, subject: "today",
                       detail: .dailyLoss(loss: Collateral(micros: UInt64(loss)), limit: limit))
    }
}
