@testable import clob_sim
import Testing
import PolypipeCore
import VenueClient

/// The realistic profile's living markets: market makers' ladders, their reaction to the time
/// left, taker agents, and client orders that walk the book — on a manual clock and a walk too
/// calm to move (fair value stays at 0.5).
@Suite struct MarketAgentsTests {
    let clock = ManualClock()
    let alice = try! PrivateKey(hex: "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80")

    func venue(_ profile: SimProfile = .realistic, seed: UInt64 = 1) -> Venue {
        var configuration = Venue.Configuration()
        configuration.walkVolatilityPerSecond = 1e-12
        configuration.profile = profile
        configuration.seed = seed
        let clock = self.clock
        return Venue(configuration: configuration, catalog: MarketCatalog(), liveWindows: true, clock: { clock.read() })
    }

    func running5m(_ venue: Venue) async throws -> SimMarket {
        let slug = "btc-updown-5m-\(clock.read() / 1000 / 300 * 300)"
        return try #require(await venue.catalog.market(slug: slug), "no market \(slug)")
    }

    func book(_ venue: Venue, _ token: TokenID) async throws -> OrderBookSummary {
        try OrderBookSummary(json: try JSONParser.parse(await venue.handle(SimRequest(method: "GET", target: "/book?token_id=\(token)")).body))
    }

    @Test func makersQuoteLaddersOfVariedSizesReproducibleFromTheSeed() async throws {
        let first = venue()
        await first.tick()
        let market = try await running5m(first)
        let book = try await book(first, market.tokens[0])
        #expect(book.bids.count >= 5 && book.asks.count >= 5, "bids \(book.bids.count), asks \(book.asks.count)")
        #expect(Set(book.bids.map(\.size)).count > 1 && Set(book.asks.map(\.size)).count > 1, "sizes vary")
        let best = try #require(book.bestBid?.price.micros)
        #expect(best < 500_000 && book.bids.allSatisfy { $0.price.micros % 10_000 == 0 })

        let again = venue()
        await again.tick()
        #expect(try await self.book(again, market.tokens[0]).bids == book.bids, "same seed, same book")
        let other = venue(seed: 2)
        await other.tick()
        #expect(try await self.book(other, market.tokens[0]).bids.map(\.size) != book.bids.map(\.size), "another seed, other sizes")
    }

    @Test func theSpreadWidensAsTheWindowRunsOut() {
        var maker = MarketMaker(seed: 1, profile: .realistic)
        let fresh = maker.ladder(fair: 500_000, tick: 10_000, remaining: 300, length: 300)
        let ending = maker.ladder(fair: 500_000, tick: 10_000, remaining: 0, length: 300)
        #expect(fresh.count == 6 && fresh.map(\.price) == [490_000, 480_000, 470_000, 460_000, 450_000, 440_000])
        #expect(ending.first?.price == 470_000, "3 cents from fair at the end, 1 cent at the start")
        #expect(fresh.allSatisfy { $0.size % 10_000_000 == 0 && $0.size > 0 })
        var simple = MarketMaker(seed: 1, profile: .simple)
        #expect(simple.ladder(fair: 500_000, tick: 10_000, remaining: 0, length: 300) == [.init(price: 480_000, size: 100_000_000)])
    }

    @Test func eachMarketRequotesOncePerSecondAtItsOwnMoment() {
        let markets = (0..<8).map { MarketCatalog.binary(slug: "phase-\($0)", question: "phase \($0)") }
        let second: Int64 = 1_780_000_001_000
        for (profile, latest) in [(SimProfile.realistic, Int64(200)), (.simple, 0)] {
            var maker = MarketMaker(seed: 1, profile: profile)
            #expect(markets.allSatisfy { maker.requoteDue($0, nowMillis: second - 1_000) }, "a new market is quoted at once")
            var moments: [[Int64]] = []
            for market in markets {
                moments.append(stride(from: Int64(0), to: 1_000, by: 10).filter { maker.requoteDue(market, nowMillis: second + $0) })
            }
            #expect(moments.allSatisfy { $0.count == 1 && $0[0] <= latest }, "\(profile.name): once a second, early: \(moments)")
            #expect(Set(moments.map(\.first)).count == (profile.requotePhaseMillis > 0 ? 8 : 1), "\(profile.name): \(moments)")
        }
    }

    @Test func takersTradeWithTheMakersAndPayFees() async throws {
        for (profile, expectTrades) in [(SimProfile.realistic, true), (.simple, false)] {
            let venue = venue(profile)
            for _ in 0..<20 {
                clock.advance(millis: 1_000)
                await venue.tick()
            }
            let takerAccount = await venue.agents.takerAccount
            let takers = await venue.engine.trades.filter { $0.taker == takerAccount }
            #expect(takers.isEmpty != expectTrades, "\(profile.name): \(takers.count) taker trades")
            #expect(takers.allSatisfy { $0.fee > 0 && $0.feeRateBps == "700" })
        }
    }

    @Test func aLargeMarketableBuyWalksTheLadderAfterTheTakerDelay() async throws {
        let venue = venue()
        await venue.tick()
        let market = try await running5m(venue)
        await venue.fund(alice.address, collateral: 1_000_000_000)
        let bestAsk = try #require(try await book(venue, market.tokens[0]).bestAsk?.price.micros)
        let amounts = try OrderAmounts.limit(side: .buy, price: MicroUnits.format(bestAsk + 50_000), size: "200", tick: market.tick)
        let incoming = MatchingEngine.Incoming(id: "0xwalk", owner: "alice", maker: alice.address, market: market, token: market.tokens[0],
                                               side: .buy, makerAmount: UInt64(amounts.makerAmount), takerAmount: UInt64(amounts.takerAmount),
                                               orderType: .gtc, postOnly: false, expiration: 0)
        #expect(try await venue.placeForTest(incoming).status == "delayed")
        clock.advance(millis: 300)  // same sim second: the makers have not requoted
        await venue.tick()
        let trade = try #require(await venue.engine.trades.last { $0.takerOrderID == "0xwalk" })
        #expect(Set(trade.makerLegs.map(\.price)).count > 1, "more than one level")
        #expect(trade.price > bestAsk, "average \(trade.price) worse than the best ask \(bestAsk)")
        #expect(trade.fee == MarketFees.cryptoUpDown.takerFee(shares: trade.size, price: trade.price) && trade.fee > 0)
    }
}
