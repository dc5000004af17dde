import Logging
import PolypipeCore

/// The daily realized-loss limit, enforced by exec-proc itself (recon-proc's `daily_loss` alarm
/// is a second, independent line). The arithmetic and the source of truth: ``DailyRealizedPnL``.
///
/// exec-proc subscribes to fill-proc's "position" topic and hands each total to
/// ``observeRealizedPnL(totalMicros:)``; its loop calls ``checkDailyPnL()`` once a second (the
/// UTC midnight rollover, and a silent fill-proc). fill-proc down or silent never halts and
/// never crashes exec-proc: the limit is then simply not checked, which is logged (one line
/// when the silence starts, one when it ends) and visible as ``fillFeedSilentMillis``.
extension Executor {
    /// fill-proc silent this long (no "position" message, normally one a second): logged.
    public static let fillFeedSilenceMillis: Int64 = 10_000

    /// fill-proc's total realized P&L (net of fees) is `totalMicros` now.
    public func observeRealizedPnL(totalMicros: Int64) {
        let now = clock()
        if dailyPnLFeedSilent {
            dailyPnLFeedSilent = false
            logger.notice("fill-proc P&L feed back; daily loss limit checked again", metadata: ["realized_total_micros": "\(totalMicros)"])
        }
        let restored = dailyPnL.baseline
        let step = dailyPnL.observe(totalMicros: totalMicros, nowMillis: now)
        if restored == nil, let baseline = step.newBaseline {
            logger.notice("daily P&L baseline set from the first fill-proc total of the day (losses earlier today while exec-proc had no baseline are not counted)",
                          metadata: ["day": "\(baseline.day)", "total_micros": "\(baseline.totalMicros)"])
        }
        apply(step)
    }

    /// The loop's once-a-second look: rolls the UTC day over, and logs a silent fill-proc.
    public func checkDailyPnL() {
        let now = clock()
        apply(dailyPnL.advance(nowMillis: now))
        let silent = fillFeedSilentMillis
        if silent >= Self.fillFeedSilenceMillis, !dailyPnLFeedSilent {
            dailyPnLFeedSilent = true
            logger.warning("no P&L from fill-proc; the daily loss limit is not checked until it is back",
                           metadata: ["silent_ms": "\(silent)", "limit": "\(dailyPnL.limit)"])
        }
    }

    /// How long since fill-proc's last total (since the executor started when none came yet).
    public var fillFeedSilentMillis: Int64 {
        clock() - (dailyPnL.lastObservedAtMillis ?? startedAtMillis)
    }

    private func apply(_ step: DailyRealizedPnL.Step) {
        if let baseline = step.newBaseline {
            journaled(.audit, "persist the daily P&L baseline") { try journal.setSetting(DailyRealizedPnL.settingKey, value: baseline.setting) }
        }
        if let loss = step.limitReached {
            let reason = "daily loss limit: realized loss today (UTC, net of fees) $\(Collateral(micros: loss)) reached the $\(dailyPnL.limit) limit; polypipe resume to trade again (a further loss halts again)"
            logger.critical("daily loss limit reached; halting", metadata: ["loss_micros": "\(loss)", "limit": "\(dailyPnL.limit)"])
            setState(.halted, reason: reason)
        }
    }
}
