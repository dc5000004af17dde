@testable import clob_sim
import Foundation
import Synchronization
import Testing
import PolypipeCore
import VenueClient

/// A clock the test moves by hand (unix milliseconds).
final class ManualClock: Sendable {
    private let now = Mutex<Int64>(1_780_000_000_000)
    func read() -> Int64 { now.withLock { $0 } }
    func advance(millis: Int64) { now.withLock { $0 += millis } }
}

/// The venue end to end through its request handler, with orders signed by VenueClient.
@Suite struct VenueTests {
    static let alice = try! PrivateKey(hex: "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80")
    static let bob = try! PrivateKey(hex: "0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d")

    let clock = ManualClock()
    let venue: Venue
    let market: SimMarket

    init() {
        let catalog = MarketCatalog.staticSet()
        market = catalog.markets[0]
        let clock = self.clock
        venue = Venue(configuration: .init(), catalog: catalog, clock: { clock.read() })
    }

    var seconds: String { String(clock.read() / 1000) }

    func l1(_ key: PrivateKey, _ method: String, _ path: String, nonce: UInt64 = 0) throws -> SimRequest {
        let headers = try L1Headers(key: key, chain: .polygon, timestamp: seconds, nonce: UInt256(nonce))
        return SimRequest(method: method, target: path, headers: Dictionary(uniqueKeysWithValues: headers.headers.map { ($0.name, $0.value) }))
    }

    func l2(_ signer: L2Signer, _ method: String, _ target: String, body: [UInt8] = [], timestamp: String? = nil) -> SimRequest {
        let path = String(target.split(separator: "?").first ?? "")
        let headers = signer.headers(timestamp: timestamp ?? seconds, method: method, path: path, bodyBytes: body)
        return SimRequest(method: method, target: target, headers: Dictionary(uniqueKeysWithValues: headers.map { ($0.name, $0.value) }), body: body)
    }

    func login(_ key: PrivateKey) async throws -> L2Signer {
        let response = await venue.handle(try l1(key, "POST", "/auth/api-key"))
        #expect(response.status == 200, "\(response.body)")
        let creds = try ApiCredentials(json: try JSONParser.parse(response.body))
        return try L2Signer(credentials: creds, address: key.address)
    }

    func signedBody(_ key: PrivateKey, _ l2: L2Signer, side: Side, price: String, size: String, token: Int = 0,
                    type: OrderType = .gtc, salt: UInt64 = 1, in other: SimMarket? = nil) throws -> [UInt8] {
        let market = other ?? self.market
        let builder = OrderBuilder(signer: OrderSigner(key: key, chain: .polygon), signatureType: .eoa, funder: nil)
        let built = try builder.build(.limit(price: try Price(price), size: try Shares(size)), side: side, tokenID: market.tokens[token], tick: market.tick,
                                      exchange: market.exchange, salt: UInt256(salt), timestamp: UInt256(UInt64(clock.read())))
        return OrderPayload.bodyBytes(built.signed, owner: l2.credentials.apiKey, orderType: type, deferExec: false, postOnly: false)
    }

    @Test func keysAreDeterministicPerAddressAndNonceAndCreateOnlyOnce() async throws {
        let first = await venue.handle(try l1(Self.alice, "POST", "/auth/api-key"))
        #expect(first.status == 200)
        let again = await venue.handle(try l1(Self.alice, "POST", "/auth/api-key"))
        #expect(again.status == 400 && again.body.contains("Could not create api key"))
        let derived = await venue.handle(try l1(Self.alice, "GET", "/auth/derive-api-key"))
        #expect(derived.body == first.body)
        let otherNonce = await venue.handle(try l1(Self.alice, "GET", "/auth/derive-api-key", nonce: 1))
        #expect(otherNonce.status == 400)
    }

    @Test func l1AndL2FailuresAre401WithTheVenuesMessage() async throws {
        // L1 signed by one key but claiming another address.
        var forged = try l1(Self.alice, "POST", "/auth/api-key").headers
        forged["poly_address"] = Self.bob.address.checksummed
        let l1Forged = await venue.handle(SimRequest(method: "POST", target: "/auth/api-key", headers: forged))
        #expect(l1Forged.status == 401 && l1Forged.body.contains("Invalid L1 Request headers"))

        let signer = try await login(Self.alice)
        let ok = await venue.handle(l2(signer, "GET", "/data/orders"))
        #expect(ok.status == 200)
        let wrongSecret = try L2Signer(credentials: ApiCredentials(apiKey: signer.credentials.apiKey, secret: "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=",
                                                                   passphrase: signer.credentials.passphrase), address: Self.alice.address)
        #expect(await venue.handle(l2(wrongSecret, "GET", "/data/orders")).status == 401)
        let wrongPassphrase = try L2Signer(credentials: ApiCredentials(apiKey: signer.credentials.apiKey, secret: signer.credentials.secret,
                                                                       passphrase: "nope"), address: Self.alice.address)
        #expect(await venue.handle(l2(wrongPassphrase, "GET", "/data/orders")).status == 401)
        let stale = await venue.handle(l2(signer, "GET", "/data/orders", timestamp: String(clock.read() / 1000 - 3600)))
        #expect(stale.status == 401)
        let unknown = try L2Signer(credentials: ApiCredentials(apiKey: "00000000-0000-4000-a000-000000000000", secret: signer.credentials.secret,
                                                               passphrase: signer.credentials.passphrase), address: Self.alice.address)
        #expect(await venue.handle(l2(unknown, "GET", "/data/orders")).status == 401)
    }

    @Test func aRestingOrderAndATakerTradeAndSettle() async throws {
        let aliceL2 = try await login(Self.alice)
        let bobL2 = try await login(Self.bob)
        let ask = await venue.handle(l2(bobL2, "POST", "/order", body: try signedBody(Self.bob, bobL2, side: .buy, price: "0.40", size: "10", token: 1)))
        #expect(ask.status == 200 && ask.body.contains(#""status":"live""#), "\(ask.body)")
        // Alice buys Up at 0.60: crosses Bob's Down bid at 0.40 (0.60 + 0.40 ≥ 1) — a mint.
        let take = await venue.handle(l2(aliceL2, "POST", "/order", body: try signedBody(Self.alice, aliceL2, side: .buy, price: "0.60", size: "10")))
        let answer = try JSONParser.parse(take.body)
        #expect(answer["status"] == .string("matched") && answer["success"] == .bool(true))
        let trades = try JSONParser.parse(await venue.handle(l2(aliceL2, "GET", "/data/trades")).body)
        let trade = try #require(trades["data"].flatMap { if case .array(let items) = $0 { return items.first }; return nil })
        #expect(trade["status"] == .string("TRADE_STATUS_MATCHED") && trade["trader_side"] == .string("TAKER"))
        clock.advance(millis: 6_000)
        await venue.tick()
        clock.advance(millis: 6_000)
        await venue.tick()
        let settled = try JSONParser.parse(await venue.handle(l2(bobL2, "GET", "/data/trades")).body)
        guard case .array(let items)? = settled["data"] else { Issue.record("no trades for the maker"); return }
        #expect(items.first?["status"] == .string("TRADE_STATUS_CONFIRMED") && items.first?["trader_side"] == .string("MAKER"))
        let balance = try JSONParser.parse(await venue.handle(l2(aliceL2, "GET", "/balance-allowance?asset_type=CONDITIONAL&token_id=\(market.tokens[0])&signature_type=0")).body)
        #expect(balance["balance"] == .string("10000000"))
    }

    @Test func ordersTheVenueMustRefuse() async throws {
        let aliceL2 = try await login(Self.alice)
        let bobL2 = try await login(Self.bob)
        // A signature that does not match the order.
        var body = try signedBody(Self.alice, aliceL2, side: .buy, price: "0.50", size: "10")
        let text = String(decoding: body, as: UTF8.self).replacingOccurrences(of: #""makerAmount":"5000000""#, with: #""makerAmount":"5000001""#)
        body = Array(text.utf8)
        let tampered = await venue.handle(l2(aliceL2, "POST", "/order", body: body))
        #expect(tampered.status == 400 && tampered.body.contains("invalid signature"), "\(tampered.body)")
        // Alice's order posted with Bob's API key.
        let foreign = await venue.handle(l2(bobL2, "POST", "/order", body: try signedBody(Self.alice, aliceL2, side: .buy, price: "0.50", size: "10")))
        #expect(foreign.status == 400 && foreign.body.contains("owner"))
        // Off the tick grid.
        let builder = OrderBuilder(signer: OrderSigner(key: Self.alice, chain: .polygon), signatureType: .eoa, funder: nil)
        let offTick = try builder.build(.fixed(makerAmount: UInt256(UInt64(5_050_000)), takerAmount: UInt256(UInt64(10_000_000))), side: .buy,
                                        tokenID: market.tokens[0], tick: nil, exchange: market.exchange, salt: UInt256(UInt64(9)), timestamp: UInt256(UInt64(1)))
        let offTickBody = OrderPayload.bodyBytes(offTick.signed, owner: aliceL2.credentials.apiKey, orderType: .gtc, deferExec: false, postOnly: false)
        let refused = await venue.handle(l2(aliceL2, "POST", "/order", body: offTickBody))
        #expect(refused.status == 400 && refused.body.contains("breaks minimum tick size rule: 0.01"))
        // A FOK with nothing to fill comes back as success: false in a 200.
        let fok = await venue.handle(l2(aliceL2, "POST", "/order", body: try signedBody(Self.alice, aliceL2, side: .buy, price: "0.50", size: "10", type: .fok)))
        #expect(fok.status == 200 && fok.body.contains(#""success":false"#) && fok.body.contains("FOK"))
        // Garbage never crashes.
        #expect(await venue.handle(l2(aliceL2, "POST", "/order", body: Array("{not json".utf8))).status == 400)
        #expect(await venue.handle(SimRequest(method: "GET", target: "/book?token_id=xyz")).status == 400)
        #expect(await venue.handle(SimRequest(method: "GET", target: "/book?token_id=12345")).status == 404)
    }

    @Test func heartbeatDeadManSwitchCancelsAfterTenSecondsOfSilence() async throws {
        let aliceL2 = try await login(Self.alice)
        let placed = await venue.handle(l2(aliceL2, "POST", "/order", body: try signedBody(Self.alice, aliceL2, side: .buy, price: "0.30", size: "10")))
        #expect(placed.status == 200)
        let first = try JSONParser.parse(await venue.handle(l2(aliceL2, "POST", "/v1/heartbeats", body: Array(#"{"heartbeat_id":""}"#.utf8))).body)
        let id = try #require(first["heartbeat_id"]?.scalarText)
        let wrong = await venue.handle(l2(aliceL2, "POST", "/v1/heartbeats", body: Array(#"{"heartbeat_id":"bogus"}"#.utf8)))
        #expect(wrong.status == 400 && wrong.body.contains("Invalid Heartbeat ID") && wrong.body.contains(id))
        clock.advance(millis: 9_000)
        await venue.tick()
        #expect(await venue.engine.openOrderIDs(owner: aliceL2.credentials.apiKey).count == 1)
        clock.advance(millis: 2_000)
        await venue.tick()
        #expect(await venue.engine.openOrderIDs(owner: aliceL2.credentials.apiKey).isEmpty)
    }

    @Test func cancelsReportWhatTheyDid() async throws {
        let aliceL2 = try await login(Self.alice)
        let placed = try JSONParser.parse(await venue.handle(l2(aliceL2, "POST", "/order", body: try signedBody(Self.alice, aliceL2, side: .buy, price: "0.30", size: "10"))).body)
        let id = try #require(placed["orderID"]?.scalarText)
        let body = Array(JSONWriter.serialize(.object([("orderID", .string(id))])).utf8)
        let cancel = try CancelResult(json: try JSONParser.parse(await venue.handle(l2(aliceL2, "DELETE", "/order", body: body)).body))
        #expect(cancel.canceled == [OrderID(id)])
        let again = try CancelResult(json: try JSONParser.parse(await venue.handle(l2(aliceL2, "DELETE", "/order", body: body)).body))
        #expect(again.canceled.isEmpty && again.notCanceled[OrderID(id)] == "Order not found or already canceled")
        let order = try OpenOrder(json: try JSONParser.parse(await venue.handle(l2(aliceL2, "GET", "/data/order/\(id)")).body))
        #expect(order.status == "CANCELED")
    }

    @Test func anAccountsFileFundsAndExplainsItsMistakes() throws {
        let accounts = try FundedAccount.load(#"[{"address":"0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266","collateral":"2500.50"}]"#)
        #expect(accounts == [FundedAccount(address: Self.alice.address, collateral: 2_500_500_000)])
        #expect(throws: SimError.badRequest("accounts file: entry 0: collateral is missing or not a pUSD amount")) {
            try FundedAccount.load(#"[{"address":"0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266","collateral":"-1"}]"#)
        }
        #expect(throws: SimError.self) { try FundedAccount.load("{}") }
    }

    @Test func readOnlyKeysReadButNeverTrade() async throws {
        let aliceL2 = try await login(Self.alice)
        let created = await venue.handle(l2(aliceL2, "POST", "/auth/readonly-api-key"))
        #expect(created.status == 200)
        let readOnly = try L2Signer(credentials: try ApiCredentials(json: try JSONParser.parse(created.body)), address: Self.alice.address)
        #expect(await venue.handle(l2(readOnly, "GET", "/data/orders")).status == 200)
        let order = await venue.handle(l2(readOnly, "POST", "/order", body: try signedBody(Self.alice, readOnly, side: .buy, price: "0.30", size: "10")))
        #expect(order.status == 401 && order.body.contains("read-only"))
        #expect(await venue.handle(l2(readOnly, "DELETE", "/cancel-all")).status == 401)
        let listed = try JSONParser.parse(await venue.handle(l2(aliceL2, "GET", "/auth/readonly-api-keys")).body)
        #expect(listed["apiKeys"] == .array([.string(readOnly.credentials.apiKey)]))

        // It reads the account it belongs to: Alice's resting order and her trade, as Alice sees them.
        func first(_ page: JSONValue) -> JSONValue? { if case .array(let items)? = page["data"] { return items.first }; return nil }
        let bobL2 = try await login(Self.bob)
        let resting = try JSONParser.parse(await venue.handle(l2(aliceL2, "POST", "/order", body: try signedBody(Self.alice, aliceL2, side: .buy, price: "0.30", size: "10"))).body)
        let restingID = try #require(resting["orderID"]?.scalarText)
        let open = try JSONParser.parse(await venue.handle(l2(readOnly, "GET", "/data/orders")).body)
        #expect(first(open)?["id"]?.scalarText == restingID)
        #expect(await venue.handle(l2(readOnly, "GET", "/data/order/\(restingID)")).status == 200)
        #expect(await venue.handle(l2(bobL2, "GET", "/data/order/\(restingID)")).status == 404, "another account's key does not")
        // Bob sells Up into Alice's bid: Alice is the maker.
        _ = await venue.handle(l2(bobL2, "POST", "/order", body: try signedBody(Self.bob, bobL2, side: .buy, price: "0.70", size: "10", token: 1)))
        let trades = try JSONParser.parse(await venue.handle(l2(readOnly, "GET", "/data/trades")).body)
        #expect(first(trades)?["trader_side"] == .string("MAKER"))
        #expect(first(try JSONParser.parse(await venue.handle(l2(bobL2, "GET", "/data/trades")).body))?["trader_side"] == .string("TAKER"))
    }

    @Test func theRestartingModeAnswers425ToOrderCalls() async throws {
        let aliceL2 = try await login(Self.alice)
        _ = await venue.handle(SimRequest(method: "POST", target: "/admin/faults", body: Array(#"{"mode":"restarting"}"#.utf8)))
        let order = await venue.handle(l2(aliceL2, "POST", "/order", body: try signedBody(Self.alice, aliceL2, side: .buy, price: "0.30", size: "10")))
        #expect(order.status == 425)
        #expect(await venue.handle(l2(aliceL2, "GET", "/data/orders")).status == 200)
    }

    @Test func aConfiguredFunderIsTheOnlyMakerAllowed() async throws {
        let proxy = try EthereumAddress("0x33D5d2a3c10216BE96917Ad0Cbed23a028d47687")
        var configuration = Venue.Configuration()
        configuration.fundedAccounts = try FundedAccount.load(#"[{"address":"0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266","collateral":"1000","funders":{"1":"0x33D5d2a3c10216BE96917Ad0Cbed23a028d47687"}}]"#)
        let clock = self.clock
        let venue = Venue(configuration: configuration, catalog: .staticSet(), clock: { clock.read() })
        let login = await venue.handle(try l1(Self.alice, "POST", "/auth/api-key"))
        let signer = try L2Signer(credentials: try ApiCredentials(json: try JSONParser.parse(login.body)), address: Self.alice.address)
        func body(funder: EthereumAddress) throws -> [UInt8] {
            let builder = OrderBuilder(signer: OrderSigner(key: Self.alice, chain: .polygon), signatureType: .polyProxy, funder: funder)
            let built = try builder.build(.limit(price: try Price("0.30"), size: try Shares("10")), side: .buy, tokenID: market.tokens[0], tick: market.tick,
                                          exchange: market.exchange, salt: Order.randomSalt(), timestamp: UInt256(UInt64(1)))
            return OrderPayload.bodyBytes(built.signed, owner: signer.credentials.apiKey, orderType: .gtc, deferExec: false, postOnly: false)
        }
        #expect(await venue.handle(l2(signer, "POST", "/order", body: try body(funder: proxy))).status == 200)
        let other = await venue.handle(l2(signer, "POST", "/order", body: try body(funder: Self.bob.address)))
        #expect(other.status == 400 && other.body.contains("maker address not allowed"))
        #expect(await venue.engine.ledger.balance(proxy) == 1_000_000_000, "the configured wallet was funded")
    }

    @Test func ghostFillsAreVoidedWhenTheFaultIsOn() async throws {
        let aliceL2 = try await login(Self.alice)
        let bobL2 = try await login(Self.bob)
        _ = await venue.handle(SimRequest(method: "POST", target: "/admin/faults", body: Array(#"{"ghost_fill_ppm":1000000}"#.utf8)))
        _ = await venue.handle(l2(bobL2, "POST", "/order", body: try signedBody(Self.bob, bobL2, side: .buy, price: "0.40", size: "10", token: 1)))
        _ = await venue.handle(l2(aliceL2, "POST", "/order", body: try signedBody(Self.alice, aliceL2, side: .buy, price: "0.60", size: "10")))
        #expect(await venue.engine.ledger.balance(Self.alice.address, market.tokens[0]) == 10_000_000)
        for _ in 0..<3 {
            clock.advance(millis: 3_000)
            await venue.tick()
        }
        #expect(await venue.engine.trades.first?.status == .failed)
        #expect(await venue.engine.ledger.balance(Self.alice.address, market.tokens[0]) == 0, "the ghost fill is taken back")
        #expect(await venue.engine.ledger.balance(Self.alice.address) == 10_000_000_000, "and the collateral restored")
    }
}
