import Testing
import Execution
import PolypipeCore

/// The daily realized-loss arithmetic (``DailyRealizedPnL``): today = fill-proc's total now −
/// the total at the UTC day's start; the limit trips at a loss of exactly the limit.
@Suite struct DailyRealizedPnLTests {
    static let day: Int64 = 86_400_000
    /// 2026-03-10 12:00 UTC.
    static let noon: Int64 = 20_522 * day + day / 2
    static let limit = Collateral(micros: 100_000_000)

    @Test func aLossOfExactlyTheLimitTripsAndOnlyAFurtherLossTripsAgain() {
        var pnl = DailyRealizedPnL(limit: Self.limit, baseline: nil)
        var step = pnl.observe(totalMicros: 30_000_000, nowMillis: Self.noon)
        #expect(step.newBaseline == .init(day: 20_522, totalMicros: 30_000_000), "the first total of the day is its baseline")
        #expect(pnl.todayMicros == 0)
        step = pnl.observe(totalMicros: -69_999_999, nowMillis: Self.noon + 1)
        #expect(pnl.todayMicros == -99_999_999 && step.limitReached == nil, "one micro short of the limit")
        step = pnl.observe(totalMicros: -70_000_000, nowMillis: Self.noon + 2)
        #expect(step.limitReached == 100_000_000, "a loss of exactly the limit trips")
        #expect(pnl.observe(totalMicros: -70_000_000, nowMillis: Self.noon + 3).limitReached == nil, "the same loss does not trip twice")
        #expect(pnl.observe(totalMicros: -70_000_001, nowMillis: Self.noon + 4).limitReached == 100_000_001, "a further loss trips again")
        #expect(step.newBaseline == nil)
    }

    /// fill-proc's total drops out a voided fill: today's figure follows it back.
    @Test func aVoidedFillReversesItsLoss() {
        var pnl = DailyRealizedPnL(limit: Self.limit, baseline: .init(day: 20_522, totalMicros: 0))
        #expect(pnl.observe(totalMicros: -60_000_000, nowMillis: Self.noon).limitReached == nil)
        #expect(pnl.todayMicros == -60_000_000)
        #expect(pnl.observe(totalMicros: -10_000_000, nowMillis: Self.noon + 1).limitReached == nil)  // the losing fill voided
        #expect(pnl.todayMicros == -10_000_000)
        // 89.999999 more lost: with the voided 50 still counted that would be 149.999999.
        #expect(pnl.observe(totalMicros: -99_999_999, nowMillis: Self.noon + 2).limitReached == nil, "the voided loss no longer counts")
        #expect(pnl.observe(totalMicros: -100_000_000, nowMillis: Self.noon + 3).limitReached == 100_000_000)
    }

    @Test func midnightUTCStartsTheDayFromTheLastTotalSeen() {
        var pnl = DailyRealizedPnL(limit: Self.limit, baseline: nil)
        _ = pnl.observe(totalMicros: 0, nowMillis: Self.noon)
        _ = pnl.observe(totalMicros: -90_000_000, nowMillis: Self.noon + Self.day / 2 - 1)  // 23:59:59.999
        #expect(pnl.todayMicros == -90_000_000)
        let rolled = pnl.advance(nowMillis: Self.noon + Self.day / 2)  // 00:00:00.000 the next day
        #expect(rolled.newBaseline == .init(day: 20_523, totalMicros: -90_000_000))
        #expect(pnl.todayMicros == 0)
        #expect(pnl.observe(totalMicros: -180_000_000, nowMillis: Self.noon + Self.day / 2 + 5).limitReached == nil, "yesterday's loss is not today's")
        #expect(pnl.todayMicros == -90_000_000)
        #expect(pnl.advance(nowMillis: Self.noon + Self.day / 2 + 6).newBaseline == nil, "no second rollover within the day")
    }

    @Test func aPersistedBaselineCountsFromMidnightAndAStaleOneIsDropped() {
        let setting = DailyRealizedPnL.Baseline(day: 20_522, totalMicros: -5_000_000).setting
        #expect(DailyRealizedPnL.Baseline(setting: setting) == .init(day: 20_522, totalMicros: -5_000_000))
        #expect(DailyRealizedPnL.Baseline(setting: "20522") == nil && DailyRealizedPnL.Baseline(setting: "x:1") == nil)
        var sameDay = DailyRealizedPnL(limit: Self.limit, baseline: DailyRealizedPnL.Baseline(setting: setting))
        let step = sameDay.observe(totalMicros: -105_000_000, nowMillis: Self.noon)
        #expect(step.newBaseline == nil && step.limitReached == 100_000_000, "a restart keeps counting from the persisted baseline")
        var nextDay = DailyRealizedPnL(limit: Self.limit, baseline: DailyRealizedPnL.Baseline(setting: setting))
        let first = nextDay.observe(totalMicros: -105_000_000, nowMillis: Self.noon + Self.day)
        #expect(first.newBaseline == .init(day: 20_523, totalMicros: -105_000_000) && first.limitReached == nil)
    }

    @Test func daysAreUTCFloorDays() {
        #expect(DailyRealizedPnL.day(ofMillis: 0) == 0)
        #expect(DailyRealizedPnL.day(ofMillis: Self.day - 1) == 0)
        #expect(DailyRealizedPnL.day(ofMillis: Self.day) == 1)
        #expect(DailyRealizedPnL.day(ofMillis: -1) == -1)
    }

    /// Random totals and clock steps: today's figure is always the latest total minus the
    /// baseline the model expects, the limit trips exactly when the loss first passes the
    /// deepest loss it tripped at that day, and never on a gain.
    @Test(arguments: UInt64(1)...30)
    func randomSequencesMatchTheModel(seed: UInt64) {
        var random = SplitMix64(seed: seed)
        var pnl = DailyRealizedPnL(limit: Self.limit, baseline: nil)
        var now = Self.noon
        var total: Int64 = 0
        var baseline: Int64?
        var day = DailyRealizedPnL.day(ofMillis: now)
        var tripped: UInt64 = 0
        for _ in 0..<500 {
            now += Int64(random.next() % 3_600_000)
            let today = DailyRealizedPnL.day(ofMillis: now)
            if today != day {
                day = today
                tripped = 0
                if baseline != nil { baseline = total }
            }
            if random.next() % 5 == 0 {
                #expect(pnl.advance(nowMillis: now).limitReached == nil)
            } else {
                total += Int64(random.next() % 40_000_000) - 22_000_000
                if baseline == nil { baseline = total }
                let step = pnl.observe(totalMicros: total, nowMillis: now)
                let loss = max(0, (baseline ?? total) - total)
                let trips = loss > 0 && UInt64(loss) >= Self.limit.micros && UInt64(loss) > tripped
                #expect((step.limitReached != nil) == trips, "loss \(loss), tripped before at \(tripped)")
                if trips { tripped = UInt64(loss) }
            }
            #expect(pnl.todayMicros == total - (baseline ?? total))
            #expect(pnl.baseline?.day == nil || pnl.baseline?.day == day)
        }
    }
}
