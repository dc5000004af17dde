import Foundation
import PolypipeTesting
import Testing
import PolypipeCore
import VenueClient

/// The interop scenario of scripts/interop/py_clob_interop.py, run by our own venue client
/// (libcurl, L1/L2 auth, exact models) against the real clob-sim binary on a free loopback port.
@Suite(.serialized) struct SwiftClientScenarioTests {
    static let alice = try! PrivateKey(hex: "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80")
    static let bob = try! PrivateKey(hex: "0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d")

    /// A running clob-sim; stopped when the value is released.
    final class RunningSim {
        let harness: ProcessHarness
        var url: String { harness.readyLine }

        /// - Parameter arguments: more `clob-sim` options (e.g. `--rate-limit-tier unlimited`).
        init(arguments: [String] = []) throws {
            harness = try ProcessHarness.start("clob-sim", ["--port", "0", "--seed", "5"] + arguments, readyPrefix: "listening on ")
        }

        deinit {
            // SIGKILL: a graceful stop would wait for a test's still-open WebSocket.
            harness.kill()
        }
    }

    static func client(_ sim: RunningSim, key: PrivateKey) throws -> ClobClient {
        let transport = try CurlTransport(baseURL: sim.url)
        let anonymous = ClobClient(transport: transport, chain: .polygon)
        let creds: ApiCredentials
        do { creds = try anonymous.createApiKey(signingWith: key) } catch { creds = try anonymous.deriveApiKey(signingWith: key) }
        return ClobClient(transport: transport, chain: .polygon, l2: try L2Signer(credentials: creds, address: key.address))
    }

    static func order(_ key: PrivateKey, _ client: ClobClient, _ side: Side, _ token: TokenID, price: String, size: String,
                      tick: TickSize = .hundredth, type: OrderType = .gtc) throws -> [UInt8] {
        try signed(key, client, side, token, price: price, size: size, tick: tick, type: type).body
    }

    /// The POST body and the order ID (known before sending).
    static func signed(_ key: PrivateKey, _ client: ClobClient, _ side: Side, _ token: TokenID, price: String, size: String,
                       tick: TickSize = .hundredth, type: OrderType = .gtc) throws -> (body: [UInt8], id: String) {
        let builder = OrderBuilder(signer: OrderSigner(key: key, chain: .polygon), signatureType: .eoa, funder: nil)
        let built = try builder.build(.limit(price: try Price(price), size: try Shares(size)), side: side, tokenID: token, tick: tick, exchange: .ctfV2,
                                      salt: Order.randomSalt(), timestamp: UInt256(UInt64(Date().timeIntervalSince1970 * 1000)))
        return (OrderPayload.bodyBytes(built.signed, owner: client.l2!.credentials.apiKey, orderType: type, deferExec: false, postOnly: false),
                built.signed.orderID)
    }

    @Test func theInteropScenarioThroughTheSwiftClient() throws {
        let sim = try RunningSim()
        let alice = try Self.client(sim, key: Self.alice)
        let bob = try Self.client(sim, key: Self.bob)
        // Same key again: the sim derives the same credential.
        #expect(try ClobClient(transport: alice.transport, chain: .polygon).deriveApiKey(signingWith: Self.alice) == alice.l2!.credentials)

        #expect(try alice.version() == 2)
        #expect(try alice.serverTime() > 1_700_000_000)
        let (condition, up, down) = try alice.marketByToken(try firstToken(alice))
        #expect(try alice.tickSize(up) == .hundredth)
        #expect(try alice.negRisk(up) == false)

        // Bob rests a BUY on Down; Alice's BUY on Up crosses it (a mint).
        guard case .accepted(let resting) = bob.postOrder(body: try Self.order(Self.bob, bob, .buy, down, price: "0.45", size: "20")) else {
            Issue.record("the resting order was not accepted"); return
        }
        #expect(resting.status == "live")
        #expect(try bob.book(down).bestBid?.price == Price(micros: 450_000))
        guard case .accepted(let taker) = alice.postOrder(body: try Self.order(Self.alice, alice, .buy, up, price: "0.60", size: "10")) else {
            Issue.record("the marketable order was not accepted"); return
        }
        #expect(taker.status == "matched" && !taker.tradeIDs.isEmpty)

        let open = try bob.openOrders(conditionID: condition)
        #expect(open.first { $0.id == resting.orderID }?.sizeMatched == Shares(micros: 10_000_000))
        #expect(try bob.order(id: resting.orderID)?.id == resting.orderID)
        let trades = try alice.trades(tokenID: up)
        #expect(trades.first?.makerOrders.first?.orderID == resting.orderID)
        #expect(try alice.balanceAllowance(.conditional, tokenID: up, signatureType: .eoa).balance == UInt256(UInt64(10_000_000)))

        let cancel = try bob.cancel(orderID: resting.orderID)
        #expect(cancel.canceled == [resting.orderID])
        #expect(try bob.cancel(orderID: resting.orderID).notCanceled[resting.orderID] != nil)

        // What the venue must refuse: a tampered signature, a wrong secret, an off-tick price.
        var tampered = String(decoding: try Self.order(Self.alice, alice, .buy, up, price: "0.30", size: "10"), as: UTF8.self)
        tampered = tampered.replacingOccurrences(of: #""makerAmount":"3000000""#, with: #""makerAmount":"3000001""#)
        #expect(alice.postOrder(body: Array(tampered.utf8)) == .rejected(reason: "invalid signature"))
        let wrong = ClobClient(transport: alice.transport, chain: .polygon,
                               l2: try L2Signer(credentials: ApiCredentials(apiKey: alice.l2!.credentials.apiKey, secret: "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=",
                                                                            passphrase: alice.l2!.credentials.passphrase), address: Self.alice.address))
        #expect(throws: ClobError.unauthorized(message: "Unauthorized/Invalid api key")) { try wrong.openOrders() }
        let halfCent = try firstToken(alice, tick: "0.005")
        let offTick = alice.postOrder(body: try Self.order(Self.alice, alice, .buy, halfCent, price: "0.512", size: "10", tick: .fiveThousandths))
        guard case .rejected(let reason) = offTick else { Issue.record("off-tick order: \(offTick)"); return }
        #expect(reason.message.hasSuffix("breaks minimum tick size rule: 0.005") && reason.kind == .invalidTickSize)
    }

    /// The first token of the sim's first market (or of the first market on `tick`), read the way
    /// a client discovers markets: `GET /markets`.
    func firstToken(_ client: ClobClient, tick: String = "0.01") throws -> TokenID {
        let response = try client.transport.send(HTTPRequest(method: "GET", target: "/markets"))
        guard case .array(let markets)? = try JSONParser.parse(response.body)["data"],
              let market = markets.first(where: { $0["minimum_tick_size"]?.scalarText == tick }),
              case .array(let tokens)? = market["tokens"], let id = tokens.first?["token_id"]?.scalarText else {
            throw CocoaError(.fileReadCorruptFile)
        }
        return try TokenID(decimal: id)
    }

    func admin(_ client: ClobClient, _ path: String, _ body: String) throws {
        let response = try client.transport.send(HTTPRequest(method: "POST", target: path, body: Array(body.utf8)))
        #expect(response.status == 200, "\(path): \(response.bodyText)")
    }

    /// Injected faults reach the client as the outcomes it must tell apart: a placed order
    /// whose answer never came (unknown, found by ID), a rate limit with Retry-After, a 5xx
    /// that placed nothing, and the cancel-only mode.
    @Test func injectedFaultsAreToldApart() throws {
        let sim = try RunningSim()
        let setup = try Self.client(sim, key: Self.alice)
        let impatient = ClobClient(transport: try CurlTransport(baseURL: sim.url, timeouts: .init(connectMilliseconds: 500, totalMilliseconds: 400)),
                                   chain: .polygon, l2: setup.l2)
        let up = try firstToken(setup)

        try admin(setup, "/admin/faults", #"{"timeout_but_placed":1,"withheld_ms":1500}"#)
        let (body, id) = try Self.signed(Self.alice, impatient, .buy, up, price: "0.20", size: "10")
        guard case .unknown = impatient.postOrder(body: body) else { Issue.record("a withheld answer was not unknown"); return }
        #expect(try setup.order(id: OrderID(id))?.status == "LIVE", "the order was placed all the same; the client finds it by its ID")

        try admin(setup, "/admin/faults", #"{"rate_limit_burst":1,"retry_after_seconds":1}"#)
        let limited = setup.postOrder(body: try Self.order(Self.alice, setup, .buy, up, price: "0.21", size: "10"))
        #expect(limited == .refused(.rateLimited(retryAfterSeconds: 1, message: "Too Many Requests")))

        try admin(setup, "/admin/faults", #"{"server_error_ppm":1000000}"#)
        let (fiveHundred, fiveHundredID) = try Self.signed(Self.alice, setup, .buy, up, price: "0.22", size: "10")
        Thread.sleep(forTimeInterval: 1.1)  // let the Retry-After pause pass
        guard case .unknown = setup.postOrder(body: fiveHundred) else { Issue.record("a 500 was not unknown"); return }
        try admin(setup, "/admin/reset-faults", "{}")
        #expect(try setup.order(id: OrderID(fiveHundredID)) == nil, "the 500 placed nothing")

        try admin(setup, "/admin/faults", #"{"mode":"cancel-only"}"#)
        let refused = setup.postOrder(body: try Self.order(Self.alice, setup, .buy, up, price: "0.23", size: "10"))
        guard case .refused(.unavailable(503, _, let message)) = refused else { Issue.record("cancel-only gave \(refused)"); return }
        #expect(message.contains("cancel-only"))
        #expect(try setup.cancel(orderID: OrderID(id)).canceled == [OrderID(id)], "cancels still work")
    }
}
