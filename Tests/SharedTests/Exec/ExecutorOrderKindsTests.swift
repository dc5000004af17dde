import Foundation
import Testing
import PolypipeTesting
import Bus
import Execution
import JournalStore
import PolypipeCore
import VenueClient

/// GTD orders (spec §2.2, §9) and market BUYs by amount (spec §2.3, §2.4) through the
/// executor against a ``FakeVenue``: what is refused before signing, and what is signed.
@Suite struct ExecutorOrderKindsTests {
    static let market = FakeMarket.standard[0]

    static func action(_ id: String, size: UInt64 = 5_000_000, price: UInt64 = 500_000, timeInForce: ExecAction.TimeInForce = .gtc) -> ExecAction {
        ExecAction(id: id, market: market.condition, tokenID: market.tokens[0], side: .buy, sizeMicros: size, limitPriceMicros: price,
                   expectedPriceMicros: price, createdAtMillis: BusClock.nowMillis(), ttlMillis: 30_000, timeInForce: timeInForce)
    }

    static func gtd(_ id: String, expiresInMillis: Int64) -> ExecAction {
        var action = action(id, timeInForce: .gtd)
        action.gtdExpiresAtMillis = BusClock.nowMillis() + expiresInMillis
        return action
    }

    static func marketBuy(_ id: String, amount: UInt64, worst: UInt64, timeInForce: ExecAction.TimeInForce = .fok) -> ExecAction {
        var action = action(id, size: 0, price: worst, timeInForce: timeInForce)
        action.amountMicros = amount
        return action
    }

    /// The one order body the venue received.
    static func postedOrder(_ venue: FakeVenue) throws -> OrderPayload.Decoded {
        let posts = venue.requests(to: "/order")
        try #require(posts.count == 1)
        return try OrderPayload.decode(try JSONParser.parse(posts[0].body))
    }

    // MARK: GTD

    @Test func aGTDOrderIsSignedWithItsExpiryPlusTheVenuesMinute() throws {
        let venue = FakeVenue()
        let harness = try TestExecutor(venue: venue)
        defer { harness.remove() }
        var action = Self.gtd("gtd-ok", expiresInMillis: 600_000)
        action.postOnly = true  // allowed with GTD
        let report = harness.executor.handle(action, receivedAtNanos: BusClock.nowNanos())
        #expect(report.outcome == .accepted, "\(report.reason)")
        let expected = UInt64(action.gtdExpiresAtMillis / 1000 + 60)
        let posted = try Self.postedOrder(venue)
        #expect(posted.orderType == .gtd)
        #expect(posted.expiration == expected)
        #expect(posted.postOnly)
        #expect(report.expirationSeconds == Int64(expected))
        let event = Polypipe_Bus_V1_OrderEvent(report)
        #expect(event.timeInForce == .gtd && event.expirationS == Int64(expected))
        // Journaled with its expiration: a restart knows when the venue ends it.
        let entry = try #require(try harness.journal.entry(actionID: "gtd-ok"))
        #expect(try OrderPayload.decode(try JSONParser.parse(entry.body)).expiration == expected)
    }

    @Test(arguments: [(Int64(179_000), "180 s"), (Int64(0), "without expires_at_ms")])
    func aGTDOrderExpiringTooSoonOrNeverIsRefusedUnsigned(expiresIn: Int64, reason: String) throws {
        let venue = FakeVenue()
        let harness = try TestExecutor(venue: venue)
        defer { harness.remove() }
        var action = Self.gtd("gtd-soon", expiresInMillis: expiresIn)
        if expiresIn == 0 { action.gtdExpiresAtMillis = 0 }
        let report = harness.executor.handle(action, receivedAtNanos: BusClock.nowNanos())
        #expect(report.outcome == .refused)
        #expect(report.reason.contains(reason), "\(report.reason)")
        #expect(venue.requests(to: "/order").isEmpty)
        #expect(try harness.journal.entry(actionID: "gtd-soon") == nil, "nothing signed or journaled")
    }

    @Test func anExpiryOnAnOrderThatIsNotGTDIsRefused() throws {
        var action = Self.action("gtc-with-expiry")
        action.gtdExpiresAtMillis = BusClock.nowMillis() + 600_000
        #expect(throws: ActionValidator.Refusal.self) { try ActionValidator.checkShape(action, nowMillis: BusClock.nowMillis()) }
    }

    /// LIFE-05: the venue expires a resting GTD order; the next resynchronization publishes
    /// CANCELED "expired", marks the journal canceled and frees the exposure.
    @Test func aGTDOrderTheVenueExpiredIsReportedCanceledAndItsExposureFreed() throws {
        let venue = FakeVenue()
        let harness = try TestExecutor(venue: venue)
        defer { harness.remove() }
        var events: [Polypipe_Bus_V1_OrderEvent] = []
        harness.executor.onEvent = { events.append($0) }
        let report = harness.executor.handle(Self.gtd("gtd-exp", expiresInMillis: 600_000), receivedAtNanos: BusClock.nowNanos())
        try #require(report.outcome == .accepted)
        #expect(harness.executor.risk.totalExposure == 2_500_000)
        venue.withState { $0.orders[report.orderID.description.lowercased()]?.status = "CANCELED_EXPIRED_ORDER" }
        try harness.executor.resynchronize()
        try #require(events.count == 2)
        #expect(events[1].outcome == .canceled)
        #expect(events[1].reason == "expired")
        #expect(events[1].orderID == report.orderID.description)
        #expect(harness.executor.live.isEmpty)
        #expect(harness.executor.risk.totalExposure == 0)
        #expect(try harness.journal.entry(actionID: "gtd-exp")?.state == .canceled)
    }

    // MARK: Market BUY by amount

    /// The spec's worked examples (§2.3), signed through the pipeline.
    @Test(arguments: [(UInt64(10_000_000), UInt64(570_000), "0.01", "10000000", "17543800"),
                      (UInt64(5_000_000), UInt64(333_000), "0.001", "5000000", "15015010"),
                      (UInt64(40_000_000), UInt64(500_000), "0.01", "40000000", "80000000")])
    func aMarketBuyByAmountSpendsTheAmount(amount: UInt64, worst: UInt64, tick: String, maker: String, taker: String) throws {
        let market = FakeMarket(condition: Self.market.condition, tokens: Self.market.tokens, bid: tick == "0.01" ? "0.48" : "0.330",
                                ask: tick == "0.01" ? "0.52" : "0.336", tickSize: tick)
        let venue = FakeVenue(markets: [market])
        venue.orderAnswer = .accept(status: "matched")
        let harness = try TestExecutor(venue: venue)
        defer { harness.remove() }
        let report = harness.executor.handle(Self.marketBuy("amt", amount: amount, worst: worst), receivedAtNanos: BusClock.nowNanos())
        #expect(report.outcome == .accepted, "\(report.reason)")
        let posted = try Self.postedOrder(venue)
        #expect(posted.orderType == .fok)
        #expect(posted.order.makerAmount.description == maker)
        #expect(posted.order.takerAmount.description == taker)
        #expect(harness.executor.risk.totalExposure == amount, "the amount is the exposure")
    }

    @Test(arguments: [
        ("sell", "for market BUYs only"), ("gtc", "a GTC or GTD order is by size_micros"),
        ("both", "by size or by amount, not both"), ("small", "$1 minimum"),
    ])
    func aMarketOrderByAmountOutsideItsRulesIsRefused(kind: String, reason: String) throws {
        let venue = FakeVenue()
        let harness = try TestExecutor(venue: venue)
        defer { harness.remove() }
        var action = Self.marketBuy("amt-bad", amount: 5_000_000, worst: 550_000)
        switch kind {
        case "sell": action.side = .sell
        case "gtc": action.timeInForce = .gtc
        case "both": action.sizeMicros = 5_000_000
        default: action.amountMicros = 999_999
        }
        let report = harness.executor.handle(action, receivedAtNanos: BusClock.nowNanos())
        #expect(report.outcome == .refused)
        #expect(report.reason.contains(reason), "\(report.reason)")
        #expect(venue.requests(to: "/order").isEmpty)
    }

    /// The risk engine counts a BUY by amount at its amount, not at size × price.
    @Test func theNotionalOfABuyByAmountIsTheAmount() {
        let proposal = RiskEngine.Proposal(market: "m", token: try! TokenID(decimal: "7"), side: .buy, price: Price(micros: 500_000),
                                           size: Shares(micros: 1_000_000), spend: Collateral(micros: 3_000_000))
        #expect(proposal.notional == 3_000_000)
        var risk = RiskEngine(limits: RiskLimits(maxOrderNotional: Collateral(micros: 2_000_000), maxMarketExposure: Collateral(micros: 10_000_000),
                                                 maxTotalExposure: Collateral(micros: 10_000_000), maxOrdersPerMinute: 10,
                                                 priceBand: Price(micros: 100_000), dailyLossLimit: Collateral(micros: 10_000_000)))
        #expect(risk.evaluate(proposal, mid: Price(micros: 500_000), nowMillis: 0) != .allow, "$3 is above the $2 order limit")
    }
}
