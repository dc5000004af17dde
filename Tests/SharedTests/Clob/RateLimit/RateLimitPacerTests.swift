import Foundation
import InMemoryLogging
import Logging
import PolypipeCore
import Synchronization
import Testing
import VenueClient

/// Pacing to the signer's buckets (spec §6.1, §9; test matrix RL-03…RL-07, RL-10), on a manual
/// clock: waiting moves the clock, so nothing here sleeps.
@Suite struct RateLimitPacerTests {
    /// Unix ms under the test's control; the pacer's `sleep` advances it.
    final class ManualClock: Sendable {
        let millis: Mutex<Int64>
        let slept = Mutex<[Int64]>([])
        init(start: Int64 = 1_800_000_000_000) { millis = Mutex(start) }
        var now: Int64 { millis.withLock { $0 } }
        func advance(_ by: Int64) { millis.withLock { $0 += by } }
        /// Every line the pacers of this clock logged.
        let log = InMemoryLogHandler()
        /// `marginTokens` 0 by default: most tests here check the exact bucket.
        func pacer(_ tier: RateLimitTier = .standard, marginTokens: Int = 0) -> RateLimitPacer {
            RateLimitPacer(tier: tier, logger: Logger(label: "test") { _ in self.log }, marginTokens: marginTokens, clock: { self.now }, sleep: { wait in
                self.slept.withLock { $0.append(wait) }
                self.advance(wait)
            })
        }
    }

    static func answer(_ headers: [(String, String)]) -> HTTPResponse {
        HTTPResponse(status: 200, headers: headers.map { ($0.0.lowercased(), $0.1) }, body: Array("{}".utf8))
    }

    @Test func aBurstNeverExceedsTheOrderBucket() {
        let clock = ManualClock()
        let pacer = clock.pacer()
        var admitted = 0
        for _ in 0..<100 where pacer.admit(.orders, cost: 1) == .go { admitted += 1 }
        #expect(admitted == 60)
        #expect(pacer.admit(.orders, cost: 1) == .wait(millis: 25))  // 40 a second
    }

    /// The margin: a request that left when the bucket here had a token may reach the venue
    /// before its refill there (the venue counts arrivals). With 2 tokens kept back, a burst stops
    /// at 58, each later order leaves with 2 tokens still in the model, and a batch as large as
    /// the burst still passes once the bucket is full.
    @Test func theMarginKeepsTokensBackYetABurstSizedBatchPasses() {
        let clock = ManualClock()
        let pacer = clock.pacer(marginTokens: 2)
        var admitted = 0
        for _ in 0..<100 where pacer.admit(.orders, cost: 1) == .go { admitted += 1 }
        #expect(admitted == 58)
        #expect(pacer.admit(.orders, cost: 1) == .wait(millis: 25))
        clock.advance(25)
        #expect(pacer.admit(.orders, cost: 1) == .go)
        #expect(pacer.available(.orders) == 2)
        clock.advance(60_000)
        #expect(pacer.admit(.orders, cost: 60) == .go, "a full bucket admits a burst-sized batch")
        #expect(RateLimitPacer(tier: .standard, logger: Logger(label: "test")).marginTokens == 2, "the default keeps a margin")
    }

    @Test func anOrderWaitsForItsTokenThenGoes() {
        let clock = ManualClock()
        let pacer = clock.pacer()
        for _ in 0..<60 { _ = pacer.admit(.orders, cost: 1) }
        let start = clock.now
        #expect(pacer.acquire(.orders, cost: 1, notAfterMillis: start + 1_000) == .go)
        #expect(clock.now - start == 25)
        #expect(pacer.available(.orders) == 0)
        #expect(pacer.statistics.waits == 1 && pacer.statistics.waitedMillis == 25 && pacer.statistics.stale == 0)
    }

    @Test func anOrderWhoseDeadlineComesFirstIsStaleAndTakesNothing() {
        let clock = ManualClock()
        let pacer = clock.pacer()
        for _ in 0..<60 { _ = pacer.admit(.orders, cost: 1) }
        let start = clock.now
        #expect(pacer.acquire(.orders, cost: 1, notAfterMillis: start + 10) == .stale(waitMillis: 25))
        #expect(pacer.statistics.stale == 1 && pacer.statistics.waits == 0)
        #expect(clock.now == start, "no waiting in vain")
        clock.advance(25)
        #expect(pacer.available(.orders) == 1, "the refused order took no token")
    }

    /// ★RL-07: the order bucket is empty; cancels go at once from their own bucket.
    @Test func cancelsNeverWaitBehindOrders() {
        let clock = ManualClock()
        let pacer = clock.pacer()
        for _ in 0..<60 { _ = pacer.admit(.orders, cost: 1) }
        #expect(pacer.admit(.orders, cost: 1) != .go)
        for _ in 0..<5 { #expect(pacer.acquire(.cancels, cost: 1, maxWaitMillis: 1_000) == .go) }
        #expect(clock.slept.withLock { $0 }.isEmpty)
        #expect(pacer.available(.cancels) == 115)
    }

    /// RL-06: a batch costing more than the burst is refused locally, never sent.
    @Test func aBatchAboveTheBurstIsRefusedLocally() throws {
        let clock = ManualClock()
        let pacer = clock.pacer()
        #expect(pacer.admit(.cancels, cost: 121) == .aboveBurst(cost: 121, burst: 120))
        let venue = RecordingVenue()
        let client = try RecordingVenue.client(venue, pacer: pacer)
        #expect(throws: ClobError.self) { try client.cancel(orderIDs: (0..<121).map { OrderID("0x\($0)") }) }
        #expect(venue.requests.withLock { $0 }.isEmpty, "nothing reached the venue")
        #expect(pacer.available(.cancels) == 120, "and nothing was taken")
    }

    /// RL-10: a cancel-all that removed 100 orders costs 1 + 100 cancel tokens.
    @Test func cancelAllDebitsOnePlusEachOrderCancelled() throws {
        let clock = ManualClock()
        let pacer = clock.pacer()
        let venue = RecordingVenue()
        venue.cancelled.withLock { $0 = (0..<100).map { "0x\($0)" } }
        let client = try RecordingVenue.client(venue, pacer: pacer)
        let result = try client.cancelAll()
        #expect(result.canceled.count == 100)
        #expect(pacer.available(.cancels) == 120 - 101)
        #expect(pacer.available(.orders) == 60, "the order bucket is not touched")
    }

    /// RL-05: `Poly-RateLimit-Tier: Silver` resizes both buckets to 200/300 and 400/600.
    @Test func aTierHeaderResizesBothBuckets() {
        let clock = ManualClock()
        let pacer = clock.pacer()
        pacer.observe(Self.answer([("Poly-RateLimit-Tier", "Silver")]), bucket: nil)
        #expect(pacer.tier == .silver)
        clock.advance(10_000)
        #expect(pacer.available(.orders) == 300)
        #expect(pacer.available(.cancels) == 600)
        pacer.observe(Self.answer([("Poly-RateLimit-Tier", "Mithril")]), bucket: nil)
        #expect(pacer.tier == .silver, "an unknown tier changes nothing")
    }

    /// RL-03: `Remaining: -3`, `Reset: now+4` blocks the order bucket until the reset; the
    /// cancel bucket is not affected.
    @Test func aReportedDebtBlocksTheBucketUntilItsReset() {
        let clock = ManualClock()
        let pacer = clock.pacer()
        let reset = clock.now / 1_000 + 4
        pacer.observe(Self.answer([("Poly-RateLimit-Remaining", "-3"), ("Poly-RateLimit-Reset", String(reset))]), bucket: .orders)
        #expect(pacer.available(.orders) == -3)
        guard case .wait(let millis) = pacer.admit(.orders, cost: 1) else {
            Issue.record("an order was admitted while the venue reports a debt")
            return
        }
        #expect(clock.now + millis == reset * 1_000)
        #expect(pacer.admit(.cancels, cost: 1) == .go)
        clock.advance(millis - 1)
        #expect(pacer.admit(.orders, cost: 1) != .go, "still before the reset")
        clock.advance(1)
        #expect(pacer.admit(.orders, cost: 1) == .go)
    }

    @Test func aStaleHigherRemainingNeverHandsOutTokens() {
        let clock = ManualClock()
        let pacer = clock.pacer()
        for _ in 0..<50 { _ = pacer.admit(.orders, cost: 1) }
        pacer.observe(Self.answer([("Poly-RateLimit-Remaining", "59")]), bucket: .orders)
        #expect(pacer.available(.orders) == 10)
        pacer.observe(Self.answer([("Poly-RateLimit-Remaining", "4")]), bucket: .orders)
        #expect(pacer.available(.orders) == 4)
    }

    /// RL-04: warning mode is noted once per episode, and pacing is unchanged.
    @Test func aWarningIsNotedOncePerEpisode() {
        let clock = ManualClock()
        let pacer = clock.pacer()
        let warning = Self.answer([("Poly-RateLimit-Warning", "true"), ("Poly-RateLimit-Remaining", "50")])
        pacer.observe(warning, bucket: .orders)
        pacer.observe(warning, bucket: .orders)
        #expect(pacer.warningEpisodes == 1)
        pacer.observe(Self.answer([("Poly-RateLimit-Remaining", "50")]), bucket: .orders)
        pacer.observe(warning, bucket: .orders)
        #expect(pacer.warningEpisodes == 2)
        #expect(pacer.admit(.orders, cost: 1) == .go)
        let warnings = clock.log.entries.filter { $0.level == .warning && "\($0.message)".contains("rate-limit warning") }
        #expect(warnings.count == 2, "one warning line per episode, not per answer")
    }

    @Test func aResetFarAheadBlocksAtMostAMinute() {
        let clock = ManualClock()
        let pacer = clock.pacer()
        pacer.observe(Self.answer([("Poly-RateLimit-Remaining", "-1"), ("Poly-RateLimit-Reset", "99999999999")]), bucket: .orders)
        guard case .wait(let millis) = pacer.admit(.orders, cost: 1) else {
            Issue.record("admitted during a debt")
            return
        }
        #expect(millis == RateLimitPacer.maximumBlockMillis)
    }

    /// ★RL-07: heartbeats draw on neither bucket: with both in debt, one still leaves at once.
    @Test func heartbeatsNeverWaitForEitherBucket() throws {
        let clock = ManualClock()
        let pacer = clock.pacer()
        let reset = String(clock.now / 1_000 + 30)
        for bucket in RateLimitPacer.Bucket.allCases {
            pacer.observe(Self.answer([("Poly-RateLimit-Remaining", "-5"), ("Poly-RateLimit-Reset", reset)]), bucket: bucket)
        }
        let venue = RecordingVenue()
        let client = try RecordingVenue.client(venue, pacer: pacer)
        #expect(try client.heartbeat(id: "") == "hb-1")
        #expect(venue.requests.withLock { $0 } == ["POST /v1/heartbeats"])
        #expect(clock.slept.withLock { $0 }.isEmpty)
    }

    @Test func theClientCorrectsTheModelFromEveryAnswer() throws {
        let clock = ManualClock()
        let pacer = clock.pacer()
        let venue = RecordingVenue()
        venue.headers.withLock { $0 = [("poly-ratelimit-remaining", "7"), ("poly-ratelimit-tier", "Gold")] }
        let client = try RecordingVenue.client(venue, pacer: pacer)
        _ = try client.cancel(orderID: "0x1")
        #expect(pacer.tier == .gold)
        #expect(pacer.available(.cancels) == 7, "Remaining of a DELETE is the cancel bucket's")
        #expect(pacer.available(.orders) == 60)
    }
}

/// A venue that records every request and answers cancels with `cancelled`, plus `headers`.
final class RecordingVenue: HTTPTransport {
    let requests = Mutex<[String]>([])
    let cancelled = Mutex<[String]>([])
    let headers = Mutex<[(name: String, value: String)]>([])

    static func client(_ venue: RecordingVenue, pacer: RateLimitPacer) throws -> ClobClient {
        let credentials = ApiCredentials(apiKey: "00000000-0000-0000-0000-000000000000", secret: "c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0", passphrase: "p")
        return ClobClient(transport: venue, chain: .polygon, l2: try L2Signer(credentials: credentials, address: ExecutorPropertyTests.key.address),
                          rateLimits: pacer)
    }

    func send(_ request: VenueClient.HTTPRequest) throws(TransportError) -> HTTPResponse {
        requests.withLock { $0.append("\(request.method) \(request.target)") }
        let ids = cancelled.withLock { $0 }.map { "\"\($0)\"" }.joined(separator: ",")
        return HTTPResponse(status: 200, headers: headers.withLock { $0 },
                            body: Array(#"{"canceled": [\#(ids)], "not_canceled": {}, "heartbeat_id": "hb-1"}"#.utf8))
    }
}
