@testable import clob_sim
import Foundation
import Testing
import PolypipeCore
import VenueClient

/// Fees and the taker delay through the venue's API (spec §2.5, §4.1, §4.4, §9), on the static
/// market with crypto Up/Down fees (`sim-static-crypto-fees`), signed by polypipe's client.
@Suite struct VenueFeeAndDelayTests {
    let harness = VenueTests()
    var venue: Venue { harness.venue }
    var crypto: SimMarket { MarketCatalog.staticSet().markets.first { $0.slug == "sim-static-crypto-fees" }! }

    func json(_ response: SimResponse) throws -> JSONValue { try JSONParser.parse(response.body) }

    @Test func marketDataPublishesTheFeeCurveAndTheTakerDelayFlag() async throws {
        let compact = try json(await venue.handle(SimRequest(method: "GET", target: "/clob-markets/\(crypto.conditionID)")))
        #expect(compact["fd"] == .object([("r", .number("0.07")), ("e", .number("1")), ("to", .bool(true))]))
        #expect(compact["itode"] == .bool(true))
        let plain = try json(await venue.handle(SimRequest(method: "GET", target: "/clob-markets/\(harness.market.conditionID)")))
        #expect(plain["itode"] == nil && plain["fd"]?["r"] == .number("0"))
        let events = try json(await venue.handle(SimRequest(method: "GET", target: "/events?slug=sim-static-crypto-fees")))
        guard case .array(let list) = events, case .array(let markets)? = list.first?["markets"], let gamma = markets.first else {
            Issue.record("no event: \(events)"); return
        }
        #expect(gamma["feesEnabled"] == .bool(true) && gamma["feeType"] == .string("crypto_fees_v2"))
        #expect(gamma["feeSchedule"] == .object([("rate", .number("0.07")), ("exponent", .number("1")), ("takerOnly", .bool(true)),
                                                 ("rebateRate", .number("0.2"))]))
    }

    @Test func aMarketableOrderIsDelayedThenMatchesAndPaysItsFee() async throws {
        let aliceL2 = try await harness.login(VenueTests.alice)
        let bobL2 = try await harness.login(VenueTests.bob)
        // Bob's Down bid at 0.40 rests at once: not marketable.
        let resting = try json(await venue.handle(harness.l2(bobL2, "POST", "/order", body: try harness.signedBody(
            VenueTests.bob, bobL2, side: .buy, price: "0.40", size: "100", token: 1, in: crypto))))
        #expect(resting["status"] == .string("live"))

        // Alice's Up BUY at 0.60 crosses it (a mint): accepted, but delayed.
        let body = try harness.signedBody(VenueTests.alice, aliceL2, side: .buy, price: "0.60", size: "100", in: crypto)
        let placed = try json(await venue.handle(harness.l2(aliceL2, "POST", "/order", body: body)))
        #expect(placed["success"] == .bool(true) && placed["status"] == .string("delayed"))
        let id = try #require(placed["orderID"]?.scalarText)
        #expect(!id.isEmpty && placed["tradeIDs"] == .array([]))
        let whileDelayed = try OpenOrder(json: try json(await venue.handle(harness.l2(aliceL2, "GET", "/data/order/\(id)"))))
        #expect(whileDelayed.status == "DELAYED")
        let cancel = try CancelResult(json: try json(await venue.handle(harness.l2(aliceL2, "DELETE", "/order",
                                                                                  body: Array(#"{"orderID":"\#(id)"}"#.utf8)))))
        #expect(cancel.canceled.isEmpty && cancel.notCanceled[OrderID(id)] == MatchingEngine.delayedCancelRefusal)
        let duplicate = await venue.handle(harness.l2(aliceL2, "POST", "/order", body: body))
        #expect(duplicate.status == 400 && duplicate.body.contains("Duplicated"))
        #expect(try json(await venue.handle(harness.l2(aliceL2, "GET", "/balance-allowance?asset_type=COLLATERAL")))["balance"]
                == .string("10000000000"), "reserved, not spent")

        harness.clock.advance(millis: 250)
        await venue.tick()
        let after = try OpenOrder(json: try json(await venue.handle(harness.l2(aliceL2, "GET", "/data/order/\(id)"))))
        #expect(after.status == "MATCHED")
        // 100 shares at 0.60: 60 pUSD plus 100 × 0.07 × 0.6 × 0.4 = 1.68 pUSD of fee.
        let alice = try json(await venue.handle(harness.l2(aliceL2, "GET", "/balance-allowance?asset_type=COLLATERAL")))
        #expect(alice["balance"] == .string("9938320000"))
        // Bob, the maker, paid 40 and got 20 % of the fee his leg would cost a taker: 0.336.
        let bob = try json(await venue.handle(harness.l2(bobL2, "GET", "/balance-allowance?asset_type=COLLATERAL")))
        #expect(bob["balance"] == .string("9960336000"))
        let trades = try json(await venue.handle(harness.l2(aliceL2, "GET", "/data/trades")))
        guard case .array(let items)? = trades["data"], let trade = items.first else { Issue.record("no trade"); return }
        #expect(trade["fee_rate_bps"] == .string("700") && trade["price"] == .string("0.6") && trade["size"] == .string("100"))
        guard case .array(let legs)? = trade["maker_orders"] else { Issue.record("no maker legs"); return }
        #expect(legs.first?["fee_rate_bps"] == .string("0"), "makers pay no fee on a takers-only curve")
    }
}
