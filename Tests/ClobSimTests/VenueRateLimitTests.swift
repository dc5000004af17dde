@testable import clob_sim
import Foundation
import Testing
import PolypipeCore
import VenueClient

/// Per-signer token buckets (spec §6.1, §9) through the venue's request handler, on a manual clock.
extension VenueTests {
    /// A resting BUY of 5 Up at 0.01 (5 cents), distinct per salt.
    func cheapBid(_ key: PrivateKey, _ l2: L2Signer, salt: UInt64) throws -> [UInt8] {
        try signedBody(key, l2, side: .buy, price: "0.01", size: "5", salt: salt)
    }

    func batchBody(_ key: PrivateKey, _ l2: L2Signer, salts: Range<UInt64>) throws -> [UInt8] {
        let legs = try salts.map { try JSONParser.parse(try cheapBid(key, l2, salt: $0)) }
        return Array(JSONWriter.serialize(.array(legs)).utf8)
    }

    /// Alice's IDs of `count` resting bids, posted one by one.
    func restingBids(_ l2: L2Signer, count: Int) async throws -> [String] {
        var ids: [String] = []
        for index in 0..<count {
            let answer = try JSONParser.parse(await venue.handle(self.l2(l2, "POST", "/order", body: try cheapBid(Self.alice, l2, salt: UInt64(index + 1)))).body)
            ids.append(try #require(answer["orderID"]?.scalarText, "\(answer)"))
        }
        return ids
    }

    func openCount(_ l2: L2Signer) async -> Int {
        await venue.engine.openOrderIDs(owner: l2.credentials.apiKey).count
    }

    @Test func aBurstPastSixtyOrdersIsRefusedWithRetryAfterAndConsistentHeaders() async throws {
        let aliceL2 = try await login(Self.alice)
        let now = clock.read()
        for index in 0..<60 {
            let answer = await venue.handle(l2(aliceL2, "POST", "/order", body: try cheapBid(Self.alice, aliceL2, salt: UInt64(index + 1))))
            #expect(answer.status == 200, "order \(index): \(answer.body)")
            #expect(answer.headers["poly-ratelimit-remaining"] == String(59 - index))
            #expect(answer.headers["poly-ratelimit-tier"] == "Standard")
            // Full again after (index + 1) tokens at 40 a second, rounded up to whole seconds.
            let fullAt = now + Int64(index + 1) * 25
            #expect(answer.headers["poly-ratelimit-reset"] == String((fullAt + 999) / 1000))
        }
        let refused = await venue.handle(l2(aliceL2, "POST", "/order", body: try cheapBid(Self.alice, aliceL2, salt: 61)))
        #expect(refused.status == 429)
        #expect(refused.headers["retry-after"] == "1", "one token is 25 ms away: at least a whole second")
        #expect(refused.headers["poly-ratelimit-remaining"] == "0" && refused.headers["poly-ratelimit-tier"] == "Standard")
        let error = try JSONParser.parse(refused.body)["error"]?.scalarText ?? ""
        #expect(error.contains("order bucket") && error.contains("Standard") && error.contains("costs 1"), "\(error)")
        #expect(await openCount(aliceL2) == 60, "the refused order was not placed")

        // 25 ms later one token is back, and only one.
        clock.advance(millis: 25)
        #expect(await venue.handle(l2(aliceL2, "POST", "/order", body: try cheapBid(Self.alice, aliceL2, salt: 62))).status == 200)
        #expect(await venue.handle(l2(aliceL2, "POST", "/order", body: try cheapBid(Self.alice, aliceL2, salt: 63))).status == 429)

        // Another signer has its own bucket.
        let bobL2 = try await login(Self.bob)
        #expect(await venue.handle(l2(bobL2, "POST", "/order", body: try cheapBid(Self.bob, bobL2, salt: 1))).status == 200)
    }

    @Test func cancelsAreUnaffectedByAnEmptyOrderBucket() async throws {
        let aliceL2 = try await login(Self.alice)
        let ids = try await restingBids(aliceL2, count: 60)
        #expect(await venue.handle(l2(aliceL2, "POST", "/order", body: try cheapBid(Self.alice, aliceL2, salt: 99))).status == 429)
        let one = Array(JSONWriter.serialize(.object([("orderID", .string(ids[0]))])).utf8)
        let cancel = await venue.handle(l2(aliceL2, "DELETE", "/order", body: one))
        #expect(cancel.status == 200 && cancel.body.contains(ids[0]))
        #expect(cancel.headers["poly-ratelimit-remaining"] == "119", "drawn from the cancel bucket (burst 120)")
        let several = Array(JSONWriter.serialize(.array(ids[1..<11].map { .string($0) })).utf8)
        let batch = await venue.handle(l2(aliceL2, "DELETE", "/orders", body: several))
        #expect(batch.status == 200 && batch.headers["poly-ratelimit-remaining"] == "109", "DELETE /orders costs one per id")
        #expect(await openCount(aliceL2) == 49)
    }

    @Test func aBatchIsAdmittedWholeOrRefusedWhole() async throws {
        let aliceL2 = try await login(Self.alice)
        for index in 0..<50 {
            #expect(await venue.handle(l2(aliceL2, "POST", "/order", body: try cheapBid(Self.alice, aliceL2, salt: UInt64(index + 1)))).status == 200)
        }
        // 10 tokens left: a batch of 15 is refused whole, nothing placed, nothing taken.
        let tooBig = await venue.handle(l2(aliceL2, "POST", "/orders", body: try batchBody(Self.alice, aliceL2, salts: 100..<115)))
        #expect(tooBig.status == 429 && tooBig.body.contains("costs 15"), "\(tooBig.body)")
        #expect(tooBig.headers["retry-after"] == "1" && tooBig.headers["poly-ratelimit-remaining"] == "10")
        #expect(await openCount(aliceL2) == 50)
        // A batch of 10 fits exactly and is placed whole.
        let fits = await venue.handle(l2(aliceL2, "POST", "/orders", body: try batchBody(Self.alice, aliceL2, salts: 200..<210)))
        #expect(fits.status == 200 && fits.headers["poly-ratelimit-remaining"] == "0", "\(fits.body)")
        #expect(await openCount(aliceL2) == 60)
        // A cancel batch above the cancel burst (120) can never pass, and says so.
        let ids = JSONValue.array((0..<121).map { .string("0x\(String($0, radix: 16))") })
        let never = await venue.handle(l2(aliceL2, "DELETE", "/orders", body: Array(JSONWriter.serialize(ids).utf8)))
        #expect(never.status == 429 && never.body.contains("never admitted") && never.headers["retry-after"] != nil, "\(never.body)")
    }

    @Test func cancelAllCostsOnePlusTheOrdersItCancelledAndMayGoIntoDebt() async throws {
        var configuration = Venue.Configuration()
        configuration.fundedAccounts = try FundedAccount.load(#"[{"address":"\#(Self.alice.address.checksummed)","collateral":"1000","rateLimitTier":"silver"}]"#)
        let clock = self.clock
        let silver = Venue(configuration: configuration, catalog: .staticSet(), clock: { clock.read() })
        let login = await silver.handle(try l1(Self.alice, "POST", "/auth/api-key"))
        let aliceL2 = try L2Signer(credentials: try ApiCredentials(json: try JSONParser.parse(login.body)), address: Self.alice.address)
        // Silver: 300 orders of burst, the per-account override of the Standard default.
        for batch in 0..<9 {
            let salts = UInt64(batch * 15 + 1)..<UInt64(batch * 15 + 16)
            let answer = await silver.handle(l2(aliceL2, "POST", "/orders", body: try batchBody(Self.alice, aliceL2, salts: salts)))
            #expect(answer.status == 200 && answer.headers["poly-ratelimit-tier"] == "Silver", "\(answer.body)")
        }
        #expect(await silver.engine.openOrderIDs(owner: aliceL2.credentials.apiKey).count == 135)
        let all = await silver.handle(l2(aliceL2, "DELETE", "/cancel-all"))
        #expect(all.status == 200)
        #expect(all.headers["poly-ratelimit-remaining"] == String(600 - 1 - 135), "1 + #cancelled from the cancel bucket (burst 600)")
        let tier = try JSONParser.parse(await silver.handle(l2(aliceL2, "GET", "/v1/user/rate-limit-tier")).body)
        #expect(tier["tier"] == .string("Silver"))
        #expect(tier["orders"]?["burst"] == .number("300") && tier["orders"]?["rate"] == .number("200"))
        #expect(tier["orders"]?["remaining"] == .number(String(300 - 135)))
        #expect(tier["cancels"]?["remaining"] == .number(String(600 - 136)))
    }

    @Test func aCancelAllBeyondTheBalanceLeavesADebtThatRefusesTheNextCancel() async throws {
        let aliceL2 = try await login(Self.alice)
        #expect(try await restingBids(aliceL2, count: 60).count == 60)
        // 100 cancels of unknown ids leave 20 tokens; cancelling 60 orders costs 61.
        let unknown = JSONValue.array((0..<100).map { .string("0x\(String($0, radix: 16))") })
        #expect(await venue.handle(l2(aliceL2, "DELETE", "/orders", body: Array(JSONWriter.serialize(unknown).utf8))).status == 200)
        let all = await venue.handle(l2(aliceL2, "DELETE", "/cancel-all"))
        #expect(all.status == 200 && all.headers["poly-ratelimit-remaining"] == "-41", "\(all.headers)")
        #expect(await openCount(aliceL2) == 0, "every order cancelled even though the bucket went into debt")
        let next = await venue.handle(l2(aliceL2, "DELETE", "/order", body: Array(#"{"orderID":"0x1"}"#.utf8)))
        // 42 tokens short at 80 a second: 525 ms, rounded up to 1 s.
        #expect(next.status == 429 && next.headers["retry-after"] == "1")
    }

    @Test func theUnlimitedTierSwitchesTheLimitsOff() async throws {
        var configuration = Venue.Configuration()
        configuration.rateLimitTier = .unlimited
        let clock = self.clock
        let open = Venue(configuration: configuration, catalog: .staticSet(), clock: { clock.read() })
        let login = await open.handle(try l1(Self.alice, "POST", "/auth/api-key"))
        let aliceL2 = try L2Signer(credentials: try ApiCredentials(json: try JSONParser.parse(login.body)), address: Self.alice.address)
        for index in 0..<150 {
            let answer = await open.handle(l2(aliceL2, "POST", "/order", body: try cheapBid(Self.alice, aliceL2, salt: UInt64(index + 1))))
            #expect(answer.status == 200, "\(answer.body)")
        }
        #expect(await open.engine.openOrderIDs(owner: aliceL2.credentials.apiKey).count == 150)
    }

    @Test func anAccountsFileTierOrFlagThatIsWrongIsNamed() throws {
        #expect(throws: SimError.badRequest("accounts file: entry 0: rateLimitTier must be one of standard, copper, bronze, silver, gold, platinum, diamond, elite, unlimited")) {
            try FundedAccount.load(#"[{"address":"0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266","collateral":"1","rateLimitTier":"titanium"}]"#)
        }
        #expect(throws: SimError.badRequest("accounts file: entry 0: depositWalletOnly must be true or false")) {
            try FundedAccount.load(#"[{"address":"0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266","collateral":"1","depositWalletOnly":"yes"}]"#)
        }
        let parsed = try FundedAccount.load(#"[{"address":"0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266","collateral":"1","rateLimitTier":"Gold","depositWalletOnly":true}]"#)
        #expect(parsed.first?.rateLimitTier == .gold && parsed.first?.depositWalletOnly == true)
    }
}
