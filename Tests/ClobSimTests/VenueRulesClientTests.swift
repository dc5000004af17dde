import Foundation
import Testing
import PolypipeTesting
import PolypipeCore
import VenueClient

/// December 2026 venue rules end to end through our own ``ClobClient`` and the real clob-sim
/// binary: a Protocol-V2 (ExchangeV3) market, and the per-signer rate-limit headers and 429s as
/// they arrive over HTTP.
@Suite(.serialized) struct VenueRulesClientTests {
    typealias Scenario = SwiftClientScenarioTests

    /// The V3 market's position ids, read as a client finds them: Gamma `/events`, `positionIds`.
    static func positionIDs(_ client: ClobClient) throws -> [TokenID] {
        let response = try client.transport.send(HTTPRequest(method: "GET", target: "/events?slug=sim-static-v3"))
        guard case .array(let events) = try JSONParser.parse(response.body), case .array(let markets)? = events.first?["markets"],
              let market = markets.first, market["version"] == .string("v2"), case .array(let ids)? = market["positionIds"] else {
            throw CocoaError(.fileReadCorruptFile)
        }
        return try ids.map { try TokenID(decimal: $0.scalarText ?? "") }
    }

    static func body(_ key: PrivateKey, _ client: ClobClient, _ token: TokenID, price: String, exchange: Exchange) throws -> [UInt8] {
        let builder = OrderBuilder(signer: OrderSigner(key: key, chain: .polygon), signatureType: .eoa, funder: nil)
        let built = try builder.build(.limit(price: try Price(price), size: try Shares("10")), side: .buy, tokenID: token, tick: .hundredth, exchange: exchange,
                                      salt: Order.randomSalt(), timestamp: UInt256(UInt64(Date().timeIntervalSince1970 * 1000)))
        return OrderPayload.bodyBytes(built.signed, owner: client.l2!.credentials.apiKey, orderType: .gtc, deferExec: false, postOnly: false)
    }

    @Test func aV3MarketTradesUnderDomainThreeAndFillsAreConditionalV2Balances() throws {
        let sim = try Scenario.RunningSim()
        let alice = try Scenario.client(sim, key: Scenario.alice)
        let bob = try Scenario.client(sim, key: Scenario.bob)
        let ids = try Self.positionIDs(alice)
        #expect(ids.count == 2 && ids.allSatisfy { $0.isProtocolV2Position })
        let (yes, no) = (ids[0], ids[1])

        #expect(bob.postOrder(body: try Self.body(Scenario.bob, bob, no, price: "0.40", exchange: .ctfV2)) == .rejected(reason: "invalid signature"),
                "signed for a V2 exchange")
        guard case .accepted(let resting) = bob.postOrder(body: try Self.body(Scenario.bob, bob, no, price: "0.40", exchange: .v3)) else {
            Issue.record("the V3 bid was not accepted"); return
        }
        #expect(resting.status == "live")
        guard case .accepted(let taker) = alice.postOrder(body: try Self.body(Scenario.alice, alice, yes, price: "0.60", exchange: .v3)) else {
            Issue.record("the V3 taker was not accepted"); return
        }
        #expect(taker.status == "matched")
        let tenShares = UInt256(UInt64(10_000_000))
        #expect(try alice.balanceAllowance(.conditionalV2, tokenID: yes, signatureType: .eoa).balance == tenShares)
        #expect(try bob.balanceAllowance(.conditionalV2, tokenID: no, signatureType: .eoa).balance == tenShares)
        #expect(try alice.balanceAllowance(.conditional, tokenID: yes, signatureType: .eoa).balance == .zero)
        // Every contract polypipe doctor requires is approved, per asset.
        for asset in [ClobClient.AssetType.collateral, .conditionalV2] {
            let allowances = try alice.balanceAllowance(asset, tokenID: asset == .collateral ? nil : yes, signatureType: .eoa).allowances
            for spender in RequiredSpender.all(on: .polygon) where spender.asset == asset {
                #expect(allowances[spender.address.checksummed.lowercased()].map { $0 > .zero } == true, "\(asset) \(spender.name)")
            }
        }
    }

    /// Sends ten batches of 15 resting bids back to back; the statuses and the first refusal.
    static func burst(_ alice: ClobClient) throws -> (statuses: [Int], tiers: Set<String>, refusal: HTTPResponse?) {
        let signer = try #require(alice.l2)
        let up = try Scenario().firstToken(alice)
        let batches = try (0..<10).map { _ in
            let legs = try (0..<15).map { _ in try Scenario.order(Scenario.alice, alice, .buy, up, price: "0.01", size: "5") }
            return Array("[".utf8) + legs.joined(separator: Array(",".utf8)) + Array("]".utf8)
        }
        var statuses: [Int] = []
        var tiers: Set<String> = []
        var refusal: HTTPResponse?
        for body in batches {
            let timestamp = String(Int64(Date().timeIntervalSince1970))
            let headers = signer.headers(timestamp: timestamp, method: "POST", path: "/orders", bodyBytes: body)
            let response = try alice.transport.send(HTTPRequest(method: "POST", target: "/orders", headers: headers, body: body))
            statuses.append(response.status)
            tiers.insert(response.header("Poly-RateLimit-Tier") ?? "none")
            if response.status == 200 {
                #expect(Int(response.header("Poly-RateLimit-Remaining") ?? "") != nil)
                #expect(Int64(response.header("Poly-RateLimit-Reset") ?? "").map { $0 >= Int64(timestamp) ?? 0 } == true)
            } else if refusal == nil {
                refusal = response
            }
        }
        return (statuses, tiers, refusal)
    }

    @Test func rateLimitHeadersAndA429ArriveOverHTTP() throws {
        let sim = try Scenario.RunningSim()
        #expect(try Scenario.client(sim, key: Scenario.alice).rateLimitTier() == .standard, "GET /v1/user/rate-limit-tier")
        // 150 orders would need 2.25 s of refill at 40 a second beyond the burst of 60, far
        // longer than sending them takes.
        let (statuses, tiers, refusal) = try Self.burst(try Scenario.client(sim, key: Scenario.alice))
        #expect(tiers == ["Standard"])
        // The burst (four batches) passes; later batches meet the empty bucket.
        #expect(statuses.prefix(4).allSatisfy { $0 == 200 }, "\(statuses)")
        let refused = try #require(refusal, "no 429 in a burst of 150: \(statuses)")
        #expect(refused.status == 429)
        #expect(Int(refused.header("Retry-After") ?? "").map { $0 >= 1 } == true)
        #expect(try JSONParser.parse(refused.body)["error"]?.scalarText?.contains("order bucket") == true)
        #expect(refused.header("Poly-RateLimit-Remaining") != nil)
    }

    @Test func theRateLimitTierFlagSwitchesTheLimitsOffOrRefusesAnUnknownTier() throws {
        let sim = try Scenario.RunningSim(arguments: ["--rate-limit-tier", "unlimited"])
        let (statuses, tiers, _) = try Self.burst(try Scenario.client(sim, key: Scenario.alice))
        #expect(statuses == Array(repeating: 200, count: 10) && tiers == ["Unlimited"])
        #expect(try Scenario.client(sim, key: Scenario.alice).rateLimitTier() == .unlimited)

        let bad = Process()
        bad.executableURL = try ProcessHarness.binary("clob-sim")
        bad.arguments = ["--port", "0", "--rate-limit-tier", "titanium"]
        let errors = Pipe()
        bad.standardError = errors
        bad.standardOutput = FileHandle.nullDevice
        try bad.run()
        bad.waitUntilExit()
        let message = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        #expect(bad.terminationStatus != 0)
        #expect(message.contains("--rate-limit-tier must be one of") && message.contains("titanium"), "\(message)")
    }
}
