/// A token bucket in exact integer arithmetic: it holds at most `burst` tokens and refills at
/// `rate` tokens a second. A pure value: the caller passes the time, so it is tested without
/// sleeping and behaves the same in clob-sim (refusing) and in exec-proc (pacing).
///
/// Tokens are kept in thousandths so refills of a few milliseconds are not lost to rounding.
///
/// ```swift
/// var bucket = TokenBucket(RateLimitTier.standard.orders, nowMillis: 0)  // full: 60 tokens
/// bucket.take(60, nowMillis: 0)                  // true
/// bucket.take(1, nowMillis: 0)                   // false: empty
/// bucket.millisUntilAvailable(1, nowMillis: 0)   // 25 (40 a second)
/// ```
public struct TokenBucket: Sendable, Equatable {
    public private(set) var size: RateLimitTier.Bucket
    /// Tokens held, in thousandths; may go below zero when the venue reports a debt.
    private var milliTokens: Int64
    private var updatedAtMillis: Int64

    /// A full bucket.
    public init(_ size: RateLimitTier.Bucket, nowMillis: Int64) {
        self.size = size
        self.milliTokens = Int64(size.burst) * 1_000
        self.updatedAtMillis = nowMillis
    }

    /// Whole tokens available at `nowMillis` (negative while in debt).
    public mutating func available(nowMillis: Int64) -> Int {
        refill(nowMillis: nowMillis)
        return Int(milliTokens.dividedRoundingDown(by: 1_000))
    }

    /// Takes `cost` tokens when all of them are there; otherwise takes nothing (all or nothing,
    /// as the venue admits a batch). A cost above the burst can never be taken.
    @discardableResult
    public mutating func take(_ cost: Int, nowMillis: Int64) -> Bool {
        refill(nowMillis: nowMillis)
        let needed = Int64(cost) * 1_000
        guard cost <= size.burst, milliTokens >= needed else { return false }
        milliTokens -= needed
        return true
    }

    /// Debits `cost` tokens whatever the balance (work the venue already did, such as the
    /// orders a cancel-all removed); the bucket may go into debt.
    public mutating func charge(_ cost: Int, nowMillis: Int64) {
        refill(nowMillis: nowMillis)
        milliTokens -= Int64(cost) * 1_000
    }

    /// Milliseconds until `cost` tokens are there (0 when they are now); nil when `cost` is
    /// above the burst and can never be taken.
    public mutating func millisUntilAvailable(_ cost: Int, nowMillis: Int64) -> Int64? {
        refill(nowMillis: nowMillis)
        guard cost <= size.burst else { return nil }
        let missing = Int64(cost) * 1_000 - milliTokens
        guard missing > 0 else { return 0 }
        // rate tokens a second = rate milli-tokens a millisecond; round up.
        let rate = Int64(size.rate)
        return (missing + rate - 1) / rate
    }

    /// Adopts what the venue reports: `remaining` tokens now (may be negative). Never raises the
    /// balance above what the local model holds unless `trustHigher` (the venue knows best only
    /// about debts we did not see; a stale header must not hand out tokens).
    public mutating func adopt(remaining: Int, nowMillis: Int64, trustHigher: Bool = false) {
        refill(nowMillis: nowMillis)
        let reported = Int64(remaining) * 1_000
        if reported < milliTokens || trustHigher { milliTokens = min(reported, Int64(size.burst) * 1_000) }
    }

    /// Changes the bucket's size (a new tier), keeping the tokens held, capped at the new burst.
    public mutating func resize(_ newSize: RateLimitTier.Bucket, nowMillis: Int64) {
        refill(nowMillis: nowMillis)
        size = newSize
        milliTokens = min(milliTokens, Int64(newSize.burst) * 1_000)
    }

    private mutating func refill(nowMillis: Int64) {
        let elapsed = nowMillis - updatedAtMillis
        guard elapsed > 0 else { return }
        updatedAtMillis = nowMillis
        let cap = Int64(size.burst) * 1_000
        guard milliTokens < cap else { return }
        // Overflow-safe: the elapsed time needed to fill from any debt is bounded by the cap.
        let (gain, overflow) = elapsed.multipliedReportingOverflow(by: Int64(size.rate))
        let (sum, sumOverflow) = milliTokens.addingReportingOverflow(gain)
        milliTokens = overflow || sumOverflow ? cap : min(cap, sum)
    }
}

extension Int64 {
    fileprivate func dividedRoundingDown(by divisor: Int64) -> Int64 {
        let quotient = self / divisor
        return (self % divisor != 0 && (self < 0) != (divisor < 0)) ? quotient - 1 : quotient
    }
}
