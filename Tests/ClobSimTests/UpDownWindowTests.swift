@testable import clob_sim
import Testing
import PolypipeCore

/// Rolling BTC Up/Down windows, the agents that trade them, and resolution — on a manual clock
/// and a walk too calm to move (so fair value stays at 0.5 and every assertion is exact), with
/// the simple profile (one quote a side, no fees, no taker delay: exact prices to pin);
/// `MarketAgentsTests` covers the realistic markets.
@Suite struct UpDownWindowTests {
    let clock = ManualClock()
    let venue: Venue
    let alice = try! PrivateKey(hex: "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80")

    init() {
        var configuration = Venue.Configuration()
        configuration.walkVolatilityPerSecond = 1e-12
        configuration.profile = .simple
        let clock = self.clock
        venue = Venue(configuration: configuration, catalog: MarketCatalog(), liveWindows: true, clock: { clock.read() })
    }

    func running5m() async throws -> SimMarket {
        let now = clock.read() / 1000
        let slug = "btc-updown-5m-\(now / 300 * 300)"
        return try #require(await venue.catalog.market(slug: slug), "no market \(slug)")
    }

    func place(_ market: SimMarket, side: Side, token: Int, price: String, size: String, type: OrderType = .gtc) async throws -> MatchingEngine.Placement {
        let amounts = try OrderAmounts.limit(side: side, price: price, size: size, tick: market.tick)
        let incoming = MatchingEngine.Incoming(id: Hex.encode(Keccak256.hash(utf8: "\(price)\(size)\(type)\(clock.read())")), owner: "alice", maker: alice.address,
                                               market: market, token: market.tokens[token], side: side,
                                               makerAmount: UInt64(amounts.makerAmount), takerAmount: UInt64(amounts.takerAmount),
                                               orderType: type, postOnly: false, expiration: 0)
        return try await venue.placeForTest(incoming)
    }

    @Test func windowsAreListedWithTheVenuesSlugs() async throws {
        await venue.tick()
        let now = clock.read() / 1000
        for (seconds, label) in [(Int64(300), "5m"), (900, "15m")] {
            let start = now / seconds * seconds
            for index in Int64(0)...2 {
                let market = await venue.catalog.market(slug: "btc-updown-\(label)-\(start + index * seconds)")
                #expect(market?.window == (start + index * seconds)...(start + (index + 1) * seconds))
                #expect(market?.outcomes == ["Up", "Down"] && market?.tick == .hundredth && market?.minimumSize == Shares(micros: 5_000_000))
            }
        }
        let events = await venue.handle(SimRequest(method: "GET", target: "/events?slug=btc-updown-15m-\(now / 900 * 900)"))
        #expect(events.status == 200 && events.body.contains("clobTokenIds") && events.body.contains(#"\"Up\""#))
    }

    @Test func agentsQuoteAroundFairValueAndFillMarketableOrders() async throws {
        await venue.tick()
        let market = try await running5m()
        await venue.fund(alice.address, collateral: 100_000_000)
        let book = try JSONParser.parse(await venue.handle(SimRequest(method: "GET", target: "/book?token_id=\(market.tokens[0])")).body)
        // Fair is 0.5; the agents bid 0.48 for each outcome, so Up shows 0.48 / 0.52.
        #expect(book["bids"] == .array([.object([("price", .string("0.48")), ("size", .string("100"))])]))
        #expect(book["asks"] == .array([.object([("price", .string("0.52")), ("size", .string("100"))])]))
        let placement = try await place(market, side: .buy, token: 0, price: "0.52", size: "10")
        #expect(placement.status == "matched" && placement.making == 5_200_000 && placement.taking == 10_000_000)
    }

    @Test func adminStateCountsClientOrdersApartFromTheAgents() async throws {
        await venue.tick()
        let market = try await running5m()
        await venue.fund(alice.address, collateral: 100_000_000)
        func state() async throws -> JSONValue { try JSONParser.parse(await venue.handle(SimRequest(method: "GET", target: "/admin/state")).body) }
        let before = try await state()
        #expect(before["client_orders"] == .number("0") && before["client_open_orders"] == .number("0"))
        #expect(before["open_orders"] != .number("0"), "the agents quote")
        _ = try await place(market, side: .buy, token: 0, price: "0.30", size: "10")
        _ = try await place(market, side: .buy, token: 0, price: "0.52", size: "10")
        let after = try await state()
        #expect(after["client_orders"] == .number("2") && after["client_open_orders"] == .number("1"))
    }

    @Test func theTakerFillsRestingOrdersPricedAboveFair() async throws {
        await venue.tick()
        let market = try await running5m()
        await venue.fund(alice.address, collateral: 100_000_000)
        let resting = try await place(market, side: .buy, token: 0, price: "0.51", size: "10")
        #expect(resting.status == "live")
        clock.advance(millis: 1_000)
        await venue.tick()
        let open = await venue.engine.openOrderIDs(owner: "alice")
        #expect(open.isEmpty, "the agent took the bid at 0.51 (fair 0.50)")
        #expect(await venue.engine.ledger.balance(alice.address, market.tokens[0]) == 10_000_000)
    }

    @Test func aWindowResolvesUpOnATieAndPaysTheWinners() async throws {
        await venue.tick()
        let market = try await running5m()
        await venue.fund(alice.address, collateral: 100_000_000)
        _ = try await place(market, side: .buy, token: 0, price: "0.52", size: "10")  // 10 Up for $5.20
        _ = try await place(market, side: .buy, token: 1, price: "0.30", size: "10")  // a resting Down bid
        let before = await venue.engine.ledger.balance(alice.address)
        clock.advance(millis: (market.window!.upperBound * 1000) - clock.read() + 1)
        await venue.tick()
        let resolved = try #require(await venue.catalog.market(conditionID: market.conditionID))
        #expect(resolved.closed && resolved.winner == 0, "an unchanged price resolves Up")
        #expect(await venue.engine.ledger.balance(alice.address) == before + 10_000_000, "10 winning shares pay $10")
        #expect(await venue.engine.ledger.balance(alice.address, market.tokens[0]) == 0)
        #expect(await venue.engine.openOrderIDs(owner: "alice").isEmpty)
        #expect(await venue.engine.ledger.availableCollateral(alice.address) == before + 10_000_000, "the Down bid's reservation came back")
        let refused = try? await place(resolved, side: .buy, token: 0, price: "0.50", size: "10")
        #expect(refused == nil, "a closed market takes no orders")
    }

    @Test func anExtremePriceRefinesTheTickToAThousandth() async throws {
        await venue.tick()
        let market = try await running5m()
        await venue.refineTickIfExtreme(market, fair: 970_000)
        let refined = try #require(await venue.catalog.market(conditionID: market.conditionID))
        #expect(refined.tick == .thousandth)
        await venue.fund(alice.address, collateral: 100_000_000)
        let placed = try await place(refined, side: .buy, token: 1, price: "0.012", size: "10")
        #expect(placed.status == "live", "the 0.001 grid is now accepted")
        let tickSize = await venue.handle(SimRequest(method: "GET", target: "/tick-size?token_id=\(market.tokens[0])"))
        #expect(tickSize.body == #"{"minimum_tick_size":0.001}"#)
    }
}
