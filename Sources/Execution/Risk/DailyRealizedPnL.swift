import PolypipeCore
/// Today's realized P&L (UTC day) and the daily realized-loss limit, as exec-proc enforces it:
/// the arithmetic alone, a value with no I/O, tested directly and by random sequences.
///
/// **Source of truth.** fill-proc's total realized P&L over every position,
/// `FillState.realized_pnl_micros` on its "position" topic: net of fees (each fill's fee is
/// realized when it is paid), recomputed from the surviving fills — so a voided (FAILED) fill
/// drops out of the total and its effect reverses without any bookkeeping here. Today's figure is
///
///     today = total now − total at the start of the UTC day (the ``Baseline``)
///
/// **The baseline.** When the day rolls over, the last total seen before midnight becomes the
/// new day's baseline (a fill matched after midnight but reported late still counts today).
/// With no total seen yet — the first one ever, or exec-proc started on a day it has no
/// baseline for — the first total seen is the baseline: losses realized that day while
/// exec-proc was down are then not counted (never a false halt; logged by the executor).
/// The executor persists each new baseline in its journal (the `settings` table), so a restart
/// within the day keeps counting from 00:00, not from the restart.
///
/// **The limit.** A loss (negative `today`) of ``limit`` or more trips it: the executor halts
/// with a reason naming both. It trips again only when the loss grows past where it last
/// tripped: an operator's resume acknowledges the loss so far, and any further realized loss
/// that day halts again. A new day starts over. That acknowledgement lives in memory only: an
/// exec-proc restarted later the same day with the loss still past the limit halts once more
/// (the safe side; the operator resumes again).
public struct DailyRealizedPnL: Sendable, Hashable {
    /// The journal setting that holds the baseline.
    public static let settingKey = "dailyRealizedPnLBaseline"
    static let dayMillis: Int64 = 86_400_000

    /// fill-proc's total at the start of one UTC day.
    public struct Baseline: Sendable, Hashable {
        /// Days since 1970-01-01 (UTC).
        public let day: Int64
        public let totalMicros: Int64

        public init(day: Int64, totalMicros: Int64) {
            self.day = day
            self.totalMicros = totalMicros
        }

        /// As persisted: `"<day>:<total micros>"`; nil for anything else.
        public init?(setting: String) {
            let parts = setting.split(separator: ":", omittingEmptySubsequences: false)
            guard parts.count == 2, let day = Int64(parts[0]), let total = Int64(parts[1]) else { return nil }
            self.init(day: day, totalMicros: total)
        }

        public var setting: String { "\(day):\(totalMicros)" }
    }

    /// What one observation or clock tick changed.
    public struct Step: Sendable, Hashable {
        /// A new baseline, to persist.
        public var newBaseline: Baseline?
        /// The loss (micro-units, positive) when it newly reached the limit: halt.
        public var limitReached: UInt64?
    }

    public let limit: Collateral
    public private(set) var baseline: Baseline?
    /// fill-proc's latest total, and when it arrived (unix ms); nil before the first one.
    public private(set) var lastTotalMicros: Int64?
    public private(set) var lastObservedAtMillis: Int64?
    /// The loss at which the limit last tripped today (0: not today).
    private var trippedAtLossMicros: UInt64 = 0

    /// - Parameter baseline: the one persisted by an earlier run, if any.
    public init(limit: Collateral, baseline: Baseline?) {
        self.limit = limit
        self.baseline = baseline
    }

    /// The UTC day of a unix-ms time (floor: before 1970 too).
    public static func day(ofMillis millis: Int64) -> Int64 {
        millis >= 0 ? millis / dayMillis : (millis - (dayMillis - 1)) / dayMillis
    }

    /// Realized P&L today, net of fees (0 until a total and a baseline are known).
    public var todayMicros: Int64 {
        guard let baseline, let lastTotalMicros else { return 0 }
        return lastTotalMicros - baseline.totalMicros
    }

    /// Today's loss (positive), 0 when today is flat or a gain.
    public var lossMicros: UInt64 { todayMicros < 0 ? todayMicros.magnitude : 0 }

    /// Rolls the day over when `nowMillis` is past the baseline's day: the last total seen
    /// becomes the new baseline (none when no total was ever seen).
    public mutating func advance(nowMillis: Int64) -> Step {
        let today = Self.day(ofMillis: nowMillis)
        guard let current = baseline, current.day < today else { return Step() }
        trippedAtLossMicros = 0
        guard let lastTotalMicros else {
            baseline = nil
            return Step()
        }
        let next = Baseline(day: today, totalMicros: lastTotalMicros)
        baseline = next
        return Step(newBaseline: next)
    }

    /// fill-proc's total realized P&L is `totalMicros` at `nowMillis`.
    public mutating func observe(totalMicros: Int64, nowMillis: Int64) -> Step {
        var step = advance(nowMillis: nowMillis)
        if baseline == nil {
            let first = Baseline(day: Self.day(ofMillis: nowMillis), totalMicros: totalMicros)
            baseline = first
            step.newBaseline = first
        }
        lastTotalMicros = totalMicros
        lastObservedAtMillis = nowMillis
        let loss = lossMicros
        if loss > 0, loss >= limit.micros, loss > trippedAtLossMicros {
            trippedAtLossMicros = loss
            step.limitReached = loss
        }
        return step
    }
}
