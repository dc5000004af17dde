import Testing
import VenueClient

@Suite struct TokenBucketTests {
    @Test func startsFullAndAdmitsAtMostTheBurst() {
        var bucket = TokenBucket(RateLimitTier.standard.orders, nowMillis: 0)
        let r1 = bucket.take(60, nowMillis: 0)
        #expect(r1)
        let r2 = bucket.take(1, nowMillis: 0)
        #expect(!r2)
    }

    @Test func refillsAtTheRateUpToTheBurst() {
        var bucket = TokenBucket(RateLimitTier.standard.orders, nowMillis: 0)
        let r3 = bucket.take(60, nowMillis: 0)
        #expect(r3)
        let r4 = bucket.millisUntilAvailable(1, nowMillis: 0)
        #expect(r4 == 25)  // 40 a second
        let r5 = bucket.take(1, nowMillis: 24)
        #expect(!r5)
        let r6 = bucket.take(1, nowMillis: 25)
        #expect(r6)
        let r7 = bucket.available(nowMillis: 1_000_000)
        #expect(r7 == 60)
    }

    @Test func aBatchIsAdmittedWholeOrRefusedWhole() {
        var bucket = TokenBucket(.init(rate: 10, burst: 15), nowMillis: 0)
        let r8 = bucket.take(10, nowMillis: 0)
        #expect(r8)
        let r9 = bucket.take(10, nowMillis: 0)
        #expect(!r9)        // 5 left: refused whole
        let r10 = bucket.available(nowMillis: 0)
        #expect(r10 == 5)   // and nothing taken
        let r11 = bucket.take(16, nowMillis: 1_000_000)
        #expect(!r11) // above the burst: never
        let r12 = bucket.millisUntilAvailable(16, nowMillis: 0)
        #expect(r12 == nil)
    }

    @Test func aReportedDebtBlocksUntilRepaid() {
        var bucket = TokenBucket(RateLimitTier.standard.orders, nowMillis: 0)
        bucket.adopt(remaining: -3, nowMillis: 0)
        let r13 = bucket.available(nowMillis: 0)
        #expect(r13 == -3)
        let r14 = bucket.millisUntilAvailable(1, nowMillis: 0)
        #expect(r14 == 100)   // 4 tokens at 40/s
        // A higher report than the model holds is not trusted by default.
        bucket.adopt(remaining: 50, nowMillis: 0)
        let r15 = bucket.available(nowMillis: 0)
        #expect(r15 == -3)
    }

    @Test func chargesGoIntoDebtAndResizeCapsAtTheNewBurst() {
        var bucket = TokenBucket(RateLimitTier.silver.cancels, nowMillis: 0)
        bucket.charge(1 + 100, nowMillis: 0)
        let r16 = bucket.available(nowMillis: 0)
        #expect(r16 == 499)
        bucket.resize(RateLimitTier.standard.cancels, nowMillis: 0)
        let r17 = bucket.available(nowMillis: 0)
        #expect(r17 == 120)
    }

    @Test func tierNamesFromTheVenue() {
        #expect(RateLimitTier(venueName: "Silver") == .silver)
        #expect(RateLimitTier(venueName: "ELITE")?.orders == .init(rate: 600, burst: 900))
        #expect(RateLimitTier(venueName: "Mythril") == nil)
        #expect(RateLimitTier.gold.venueName == "Gold")
    }

    @Test func unlimitedNeverOverflows() {
        var bucket = TokenBucket(RateLimitTier.unlimited.orders, nowMillis: 0)
        let r18 = bucket.take(1_000, nowMillis: Int64.max / 2)
        #expect(r18)
    }
}
