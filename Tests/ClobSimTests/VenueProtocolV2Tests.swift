@testable import clob_sim
import Foundation
import Testing
import PolypipeCore
import VenueClient

/// Protocol-V2 (ExchangeV3) markets beside the CTF V2 ones (spec §1.8, §9).
extension VenueTests {
    var v3Market: SimMarket {
        get throws { try #require(MarketCatalog.staticSet().market(slug: "sim-static-v3")) }
    }

    func v3Body(_ key: PrivateKey, _ l2: L2Signer, token: TokenID, price: String, exchange: Exchange = .v3, salt: UInt64 = 1) throws -> [UInt8] {
        let builder = OrderBuilder(signer: OrderSigner(key: key, chain: .polygon), signatureType: .eoa, funder: nil)
        let built = try builder.build(.limit(price: try Price(price), size: try Shares("10")), side: .buy, tokenID: token, tick: .hundredth,
                                      exchange: exchange, salt: UInt256(salt), timestamp: UInt256(UInt64(clock.read())))
        return OrderPayload.bodyBytes(built.signed, owner: l2.credentials.apiKey, orderType: .gtc, deferExec: false, postOnly: false)
    }

    @Test func theStaticCatalogHasAV3MarketWithPositionIDsAndV2MarketsWithout() throws {
        let catalog = MarketCatalog.staticSet()
        let v3 = try v3Market
        #expect(v3.exchangeVersion == .v3 && v3.exchange == .v3)
        #expect(v3.tokens.allSatisfy { $0.isProtocolV2Position })
        // Top byte the binary module (1), lowest byte the outcome index.
        #expect(v3.tokens.map { $0.value.words.0 >> 56 } == [1, 1])
        #expect(v3.tokens.map { $0.value.words.3 & 0xFF } == [0, 1])
        for market in catalog.markets where market.exchangeVersion == .v2 {
            #expect(!market.tokens.contains { $0.isProtocolV2Position }, "\(market.slug)")
        }
    }

    @Test func aV3OrderIsVerifiedUnderDomainThreeAndItsFillIsAConditionalV2Balance() async throws {
        let v3 = try v3Market
        let aliceL2 = try await login(Self.alice)
        let bobL2 = try await login(Self.bob)
        // Signed for a V2 exchange (domain "2"): not the signature ExchangeV3 checks.
        let wrongDomain = await venue.handle(l2(bobL2, "POST", "/order", body: try v3Body(Self.bob, bobL2, token: v3.tokens[1], price: "0.40", exchange: .ctfV2)))
        #expect(wrongDomain.status == 400 && wrongDomain.body.contains("invalid signature"), "\(wrongDomain.body)")
        // Domain "3": accepted; Alice's BUY Yes at 0.60 mints against Bob's BUY No at 0.40.
        let bid = await venue.handle(l2(bobL2, "POST", "/order", body: try v3Body(Self.bob, bobL2, token: v3.tokens[1], price: "0.40")))
        #expect(bid.status == 200 && bid.body.contains(#""status":"live""#), "\(bid.body)")
        let take = await venue.handle(l2(aliceL2, "POST", "/order", body: try v3Body(Self.alice, aliceL2, token: v3.tokens[0], price: "0.60")))
        #expect(take.status == 200 && take.body.contains(#""status":"matched""#), "\(take.body)")

        func balance(_ signer: L2Signer, _ assetType: String, _ token: TokenID) async throws -> JSONValue? {
            let target = "/balance-allowance?asset_type=\(assetType)&token_id=\(token)&signature_type=0"
            return try JSONParser.parse(await venue.handle(l2(signer, "GET", target)).body)["balance"]
        }
        #expect(try await balance(aliceL2, "CONDITIONAL-V2", v3.tokens[0]) == .string("10000000"))
        #expect(try await balance(bobL2, "CONDITIONAL-V2", v3.tokens[1]) == .string("10000000"))
        #expect(try await balance(aliceL2, "CONDITIONAL", v3.tokens[0]) == .string("0"), "CTF balances never show V3 positions")

        // And the other way round: a CTF fill is a CONDITIONAL balance, not a CONDITIONAL-V2 one.
        _ = await venue.handle(l2(bobL2, "POST", "/order", body: try signedBody(Self.bob, bobL2, side: .buy, price: "0.40", size: "10", token: 1, salt: 7)))
        _ = await venue.handle(l2(aliceL2, "POST", "/order", body: try signedBody(Self.alice, aliceL2, side: .buy, price: "0.60", size: "10", salt: 8)))
        #expect(try await balance(aliceL2, "CONDITIONAL", market.tokens[0]) == .string("10000000"))
        #expect(try await balance(aliceL2, "CONDITIONAL-V2", market.tokens[0]) == .string("0"))
    }

    @Test func gammaEventsDescribeTheV3MarketWithVersionAndPositionIDs() async throws {
        let v3 = try v3Market
        let events = try JSONParser.parse(await venue.handle(SimRequest(method: "GET", target: "/events?slug=sim-static-v3")).body)
        guard case .array(let list) = events, case .array(let markets)? = list.first?["markets"], let gamma = markets.first else {
            Issue.record("no event for the V3 market"); return
        }
        #expect(gamma["version"] == .string("v2"))
        #expect(gamma["positionIds"] == .array(v3.tokens.map { .string($0.description) }))
        let v2 = try JSONParser.parse(await venue.handle(SimRequest(method: "GET", target: "/events?slug=sim-static-updown")).body)
        guard case .array(let v2List) = v2, case .array(let v2Markets)? = v2List.first?["markets"] else { Issue.record("no V2 event"); return }
        #expect(v2Markets.first?["version"] == .string("v1") && v2Markets.first?["positionIds"] == nil)
    }
}
