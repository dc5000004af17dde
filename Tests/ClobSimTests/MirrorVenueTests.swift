@testable import clob_sim
import Testing
import PolypipeCore
import Upstream

/// clob-sim in mirror mode, fed records by hand, with an upstream clob-sim (in process, the
/// simple profile) providing a real window listing: marketable orders walk the mirrored levels
/// and pay the fee, resting ones fill only past their queue, taken shares are not offered
/// twice, and resolution pays out.
@Suite struct MirrorVenueTests {
    let clock = ManualClock()
    let upstream: Venue
    let mirror: Venue
    let alice = try! PrivateKey(hex: "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80")

    init() async {
        let clock = self.clock
        var quiet = Venue.Configuration()
        quiet.profile = .simple
        upstream = Venue(configuration: quiet, catalog: MarketCatalog(), liveWindows: true, clock: { clock.read() })
        var configuration = Venue.Configuration()
        configuration.profile = .realistic  // fees on crypto windows
        mirror = Venue(configuration: configuration, catalog: MarketCatalog(), clock: { clock.read() })
        await mirror.startMirroring()
    }

    /// The upstream's running 5-minute window, announced to the mirror; returns its market there.
    func window() async throws -> SimMarket {
        await upstream.tick()
        let slug = "btc-updown-5m-\(clock.read() / 1000 / 300 * 300)"
        let events = try JSONParser.parse(await upstream.handle(SimRequest(method: "GET", target: "/events?slug=\(slug)")).body)
        await mirror.applyUpstream(UpstreamRecord(receivedAtMillis: clock.read(), kind: .window, key: slug, data: events))
        return try #require(await mirror.catalog.market(slug: slug))
    }

    func book(_ token: TokenID, bids: [(String, String)], asks: [(String, String)]) async throws {
        func side(_ levels: [(String, String)]) -> JSONValue {
            .array(levels.map { .object([("price", .string($0.0)), ("size", .string($0.1))]) })
        }
        let frame = JSONValue.object([("event_type", .string("book")), ("asset_id", .string(token.description)), ("market", .string("m")),
                                      ("bids", side(bids)), ("asks", side(asks)), ("timestamp", .string("1")), ("hash", .string(""))])
        await mirror.applyUpstream(UpstreamRecord(receivedAtMillis: clock.read(), kind: .market, data: frame))
    }

    func print(_ token: TokenID, price: String, size: String) async {
        let frame = JSONValue.object([("event_type", .string("last_trade_price")), ("asset_id", .string(token.description)),
                                      ("price", .string(price)), ("size", .string(size)), ("side", .string("SELL"))])
        await mirror.applyUpstream(UpstreamRecord(receivedAtMillis: clock.read(), kind: .market, data: frame))
    }

    func place(_ market: SimMarket, _ side: Side, token: Int, price: String, size: String, type: OrderType = .gtc) async throws -> (id: String, placement: MatchingEngine.Placement) {
        let amounts = try OrderAmounts.limit(side: side, price: price, size: size, tick: market.tick)
        let id = Hex.encode(Keccak256.hash(utf8: "\(side)\(price)\(size)\(type)\(clock.read())"))
        let incoming = MatchingEngine.Incoming(id: id, owner: "alice", maker: alice.address, market: market, token: market.tokens[token], side: side,
                                               makerAmount: UInt64(amounts.makerAmount), takerAmount: UInt64(amounts.takerAmount),
                                               orderType: type, postOnly: false, expiration: 0)
        return (id, try await mirror.placeForTest(incoming))
    }

    @Test func aMarketableOrderWalksTheMirroredLevelsPaysTheFeeAndCannotTakeTheSameSharesTwice() async throws {
        let market = try await window()
        await mirror.fund(alice.address, collateral: 1_000_000_000)
        // Up asks 0.55 × 3, 0.56 × 4, 0.57 × 10 — as the upstream shows them: Down bids at 0.45, 0.44, 0.43.
        try await book(market.tokens[1], bids: [("0.45", "3"), ("0.44", "4"), ("0.43", "10")], asks: [])
        try await book(market.tokens[0], bids: [("0.40", "20")], asks: [("0.55", "3"), ("0.56", "4"), ("0.57", "10")])
        let served = try JSONParser.parse(await mirror.handle(SimRequest(method: "GET", target: "/book?token_id=\(market.tokens[0])")).body)
        #expect(served["asks"] == .array([("0.57", "10"), ("0.56", "4"), ("0.55", "3")].map { .object([("price", .string($0.0)), ("size", .string($0.1))]) }))

        let before = await mirror.engine.ledger.balance(alice.address)
        let taken = try await place(market, .buy, token: 0, price: "0.56", size: "6", type: .fak)
        clock.advance(millis: 1_000)
        await mirror.tick()  // the taker delay, where the market has one
        let order = try #require(await mirror.engine.orders[taken.id])
        #expect(order.matched == 6_000_000, "3 at 0.55 and 3 at 0.56")
        let paid = before - (await mirror.engine.ledger.balance(alice.address))
        let cost: Int64 = 3 * 550_000 + 3 * 560_000
        #expect(paid > cost, "paid \(paid): the shares' \(cost) and the taker fee")
        // The upstream still shows 3 at 0.55 and 4 at 0.56 (it never saw our order): only 1 left at 0.56 for us.
        try await book(market.tokens[1], bids: [("0.45", "3"), ("0.44", "4"), ("0.43", "10")], asks: [])
        let again = try JSONParser.parse(await mirror.handle(SimRequest(method: "GET", target: "/book?token_id=\(market.tokens[0])")).body)
        #expect(again["asks"] == .array([("0.57", "10"), ("0.56", "1")].map { .object([("price", .string($0.0)), ("size", .string($0.1))]) }))
    }

    @Test func aRestingOrderFillsOnlyAfterUpstreamVolumeAtItsPricePassesTheQueueAheadOfIt() async throws {
        let market = try await window()
        await mirror.fund(alice.address, collateral: 1_000_000_000)
        try await book(market.tokens[0], bids: [("0.40", "12"), ("0.39", "50")], asks: [])
        try await book(market.tokens[1], bids: [("0.50", "20")], asks: [])
        let resting = try await place(market, .buy, token: 0, price: "0.40", size: "5")
        #expect(resting.placement.status == "live")
        await print(market.tokens[0], price: "0.40", size: "10")
        #expect(await mirror.engine.orders[resting.id]?.matched == 0, "12 were in front: 10 traded")
        await print(market.tokens[0], price: "0.41", size: "30")  // above our bid: not our level
        #expect(await mirror.engine.orders[resting.id]?.matched == 0)
        await print(market.tokens[0], price: "0.40", size: "5")
        #expect(await mirror.engine.orders[resting.id]?.matched == 3_000_000, "2 more in front, then 3 to us")
        // A print through our price (below the bid) fills the rest.
        await print(market.tokens[0], price: "0.39", size: "4")
        #expect(await mirror.engine.orders[resting.id]?.matched == 5_000_000)
        #expect(await mirror.engine.orders[resting.id]?.isOpen == false)
    }

    /// Cancellations in front (a level shrinking with no print) shorten the queue in proportion.
    @Test func cancellationsInFrontBringAFillSooner() async throws {
        let market = try await window()
        await mirror.fund(alice.address, collateral: 1_000_000_000)
        try await book(market.tokens[0], bids: [("0.40", "12")], asks: [])
        try await book(market.tokens[1], bids: [("0.50", "20")], asks: [])
        let resting = try await place(market, .buy, token: 0, price: "0.40", size: "5")
        let change = JSONValue.object([("event_type", .string("price_change")), ("market", .string(market.conditionID)), ("price_changes", .array([
            .object([("asset_id", .string(market.tokens[0].description)), ("price", .string("0.40")), ("size", .string("6")), ("side", .string("BUY"))]),
        ]))])
        await mirror.applyUpstream(UpstreamRecord(receivedAtMillis: clock.read(), kind: .market, data: change))
        await print(market.tokens[0], price: "0.40", size: "6")
        #expect(await mirror.engine.orders[resting.id]?.matched == 0, "half of the 12 in front cancelled: 6 were left, 6 traded")
        await print(market.tokens[0], price: "0.40", size: "2")
        #expect(await mirror.engine.orders[resting.id]?.matched == 2_000_000)
    }

    @Test func theUpstreamsResolutionPaysOut() async throws {
        let market = try await window()
        await mirror.fund(alice.address, collateral: 1_000_000_000)
        try await book(market.tokens[1], bids: [("0.45", "10")], asks: [])
        _ = try await place(market, .buy, token: 0, price: "0.55", size: "10", type: .fak)
        clock.advance(millis: 1_000)
        await mirror.tick()
        let shares = await mirror.engine.ledger.balance(alice.address, market.tokens[0])
        #expect(shares == 10_000_000)
        let resolution = JSONValue.object([("condition_id", .string(market.conditionID)), ("closed", .bool(true)), ("tokens", .array([
            .object([("token_id", .string(market.tokens[0].description)), ("winner", .bool(true))]),
            .object([("token_id", .string(market.tokens[1].description)), ("winner", .bool(false))]),
        ]))])
        let before = await mirror.engine.ledger.balance(alice.address)
        await mirror.applyUpstream(UpstreamRecord(receivedAtMillis: clock.read(), kind: .resolution, key: market.conditionID, data: resolution))
        #expect(await mirror.engine.ledger.balance(alice.address) - before == 10_000_000)
        #expect(await mirror.catalog.market(conditionID: market.conditionID)?.closed == true)
    }
}
