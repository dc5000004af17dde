import PolypipeTesting
import Foundation
import Testing
import PolypipeCore
import VenueClient

@Suite struct ClobClientTests {
    static let key = try! PrivateKey(hex: "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80")
    static let credentials = ApiCredentials(apiKey: "4f6e9d2c-1b7a-4c3e-9f00-5a1b2c3d4e5f",
                                            secret: "eIg-JDtoZIM2cXe-xwT5gM4ZOrCMUBZNqscXao_dOa8=",
                                            passphrase: "575e44eac1c10fb1434dabe2d9053f0c33bbd2400184d553bf035e262ad7640a")

    static func client(_ server: ScriptedHTTPServer, timeoutMilliseconds: Int = 2000) throws -> ClobClient {
        let transport = try CurlTransport(baseURL: server.baseURL, timeouts: .init(connectMilliseconds: 500, totalMilliseconds: timeoutMilliseconds))
        return ClobClient(transport: transport, chain: .polygon, l2: try L2Signer(credentials: credentials, address: key.address),
                          clock: { 1_780_000_000 })
    }

    static func fixture(_ name: String) -> String {
        let url = Vectors.repositoryRoot.appendingPathComponent("../shared/fixtures/venue/nautilus/\(name)").standardized
        return (try? String(contentsOf: url, encoding: .utf8)) ?? "missing fixture \(name)"
    }

    static let sampleBody = Array(#"{"order":{"salt":1},"owner":"4f6e9d2c-1b7a-4c3e-9f00-5a1b2c3d4e5f","orderType":"GTC","deferExec":false,"postOnly":false}"#.utf8)

    /// The recorded CLOB market objects: a closed market with its winner marked, an open one.
    @Test func aMarketsResolutionIsReadFromItsWinnerFlag() throws {
        let server = try ScriptedHTTPServer { request in
            request.path.hasSuffix("closed") ? .respond(status: 200, body: Self.fixture("clob_market_closed_binary_accepting_false.json"))
                                             : .respond(status: 200, body: Self.fixture("clob_market_response.json"))
        }
        defer { server.stop() }
        let closed = try Self.client(server).resolution(conditionID: "closed")
        #expect(closed.closed)
        #expect(closed.winner?.description == "89711174926330519158043401581181146613785179104141808554061413232025882707365")
        let open = try Self.client(server).resolution(conditionID: "0xopen")
        #expect(!open.closed && open.winner == nil)
        #expect(server.requests.map(\.path) == ["/markets/closed", "/markets/0xopen"])
    }

    @Test func privateCallsCarryAValidL2Signature() throws {
        let server = try ScriptedHTTPServer { _ in .respond(status: 200, body: #"{"success":true,"errorMsg":"","orderID":"0xab","status":"live","makingAmount":"","takingAmount":""}"#) }
        defer { server.stop() }
        _ = try Self.client(server).postOrder(body: Self.sampleBody)
        let request = try #require(server.requests.first)
        #expect(request.method == "POST" && request.target == "/order")
        #expect(request.body == Self.sampleBody, "the exact bytes are sent")
        let expected = L2Signer.message(timestamp: "1780000000", method: "POST", path: "/order", body: request.bodyText)
        let signer = try L2Signer(credentials: Self.credentials, address: Self.key.address)
        #expect(request.headers["poly_signature"] == signer.signature(message: expected))
        #expect(request.headers["poly_address"] == Self.key.address.checksummed)
        #expect(request.headers["poly_api_key"] == Self.credentials.apiKey)
        #expect(request.headers["poly_passphrase"] == Self.credentials.passphrase)
        #expect(request.headers["poly_timestamp"] == "1780000000")
    }

    @Test(arguments: [
        (200, #"{"success":true,"errorMsg":"","orderID":"0xab","status":"live","makingAmount":"","takingAmount":""}"#, "accepted"),
        (200, #"{"success":true,"errorMsg":"","orderID":"0xab","status":"matched","makingAmount":"5","takingAmount":"10","tradeIDs":["t1"],"transactionsHashes":[]}"#, "accepted"),
        (200, #"{"success":false,"orderID":null,"errorMsg":"Insufficient balance"}"#, "rejected"),
        (200, #"{"success":true,"orderID":"","errorMsg":"not enough balance / allowance"}"#, "rejected"),
        (400, #"{"error":"order 0xab is invalid. Price (0.555) breaks minimum tick size rule: 0.01"}"#, "rejected"),
        (401, #"{"error":"Unauthorized/Invalid api key"}"#, "refused"),
        (429, #"{"error":"Too Many Requests"}"#, "refused"),
        (503, #"{"error":"Trading is currently cancel-only. New orders are not accepted, but cancels are allowed."}"#, "refused"),
        (425, #"{"error":"engine restarting"}"#, "refused"),
        (500, #"{"error":"could not insert order"}"#, "unknown"),
        (502, "<html>bad gateway</html>", "unknown"),
        (404, "<html>not found</html>", "unknown"),
        (200, "not json", "unknown"),
        (200, #"{"success":true,"errorMsg":"","orderID":"0xab","status":"weird"}"#, "unknown"),
    ])
    func submitOutcomeFollowsWhatTheVenueProved(_ example: (Int, String, String)) throws {
        let server = try ScriptedHTTPServer { _ in .respond(status: example.0, body: example.1) }
        defer { server.stop() }
        let outcome = try Self.client(server).postOrder(body: Self.sampleBody)
        switch (outcome, example.2) {
        case (.accepted, "accepted"), (.rejected, "rejected"), (.refused, "refused"), (.unknown, "unknown"): break
        default: Issue.record("HTTP \(example.0) \(example.1) gave \(outcome), expected \(example.2)")
        }
        if case .rejected(let reason) = outcome {
            #expect(!reason.message.isEmpty && example.1.contains(reason.message), "the venue's message is carried")
        }
    }

    @Test func aTimeoutIsUnknownNeverRejected() throws {
        let server = try ScriptedHTTPServer { _ in .hang }
        defer { server.stop() }
        let outcome = try Self.client(server, timeoutMilliseconds: 300).postOrder(body: Self.sampleBody)
        guard case .unknown = outcome else { Issue.record("a timed-out submit gave \(outcome)"); return }
    }

    @Test func rateLimitCarriesRetryAfter() throws {
        let server = try ScriptedHTTPServer { _ in .respond(status: 429, headers: [("Retry-After", "2")], body: #"{"error":"rate limited"}"#) }
        defer { server.stop() }
        let client = try Self.client(server)
        let outcome = client.postOrder(body: Self.sampleBody)
        #expect(outcome == .refused(.rateLimited(retryAfterSeconds: 2, message: "rate limited")))
        // Honoured: within the next 2 s nothing is sent, the refusal comes back at once.
        let again = client.postOrder(body: Self.sampleBody)
        guard case .refused(.rateLimited(let wait?, _)) = again else { Issue.record("second attempt: \(again)"); return }
        #expect(wait >= 1 && wait <= 2)
        #expect(server.requests.count == 1, "no order during Retry-After")
        // Another client (its own gate) is not held back.
        _ = try Self.client(server).postOrder(body: Self.sampleBody)
        #expect(server.requests.count == 2)
    }

    /// RL-07: the venue meters orders and cancels in separate buckets. An order Retry-After
    /// holds orders back, never a cancel or a read; a cancel Retry-After holds cancels only; a
    /// 503 with a retry time (engine paused) holds everything.
    @Test func anOrderRetryAfterNeverHoldsBackACancelOrARead() throws {
        let server = try ScriptedHTTPServer { request in
            switch (request.method, request.path) {
            case ("POST", "/order"): return .respond(status: 429, headers: [("Retry-After", "30")], body: #"{"error":"order rate limited"}"#)
            case ("DELETE", "/order"): return .respond(status: 429, headers: [("Retry-After", "30")], body: #"{"error":"cancel rate limited"}"#)
            case ("DELETE", _): return .respond(status: 200, body: #"{"canceled":["0x01"],"not_canceled":{}}"#)
            default: return .respond(status: 200, body: #"{"version": 2}"#)
            }
        }
        defer { server.stop() }
        let client = try Self.client(server)
        #expect(client.postOrder(body: Self.sampleBody) == .refused(.rateLimited(retryAfterSeconds: 30, message: "order rate limited")))
        let canceled = try client.cancelAll()
        #expect(canceled.canceled == ["0x01"], "a cancel leaves while orders wait")
        #expect(try client.version() == 2, "a read leaves while orders wait")
        guard case .refused(.rateLimited) = client.postOrder(body: Self.sampleBody) else { Issue.record("an order went out during its Retry-After"); return }
        #expect(server.requests.map { "\($0.method) \($0.path)" } == ["POST /order", "DELETE /cancel-all", "GET /version"])

        // A cancel's own Retry-After holds cancels, not reads.
        #expect(throws: ClobError.self) { try client.cancel(orderID: "0x02") }
        #expect(throws: ClobError.self) { try client.cancelAll() }
        #expect(try client.version() == 2)
        #expect(server.requests.count == 5, "the second cancel waited, the read did not")
    }

    @Test func aPausedEngineHoldsEverythingBack() throws {
        let server = try ScriptedHTTPServer { _ in .respond(status: 503, headers: [("Retry-After", "30")], body: #"{"error":"Trading is currently disabled"}"#) }
        defer { server.stop() }
        let client = try Self.client(server)
        _ = client.postOrder(body: Self.sampleBody)
        #expect(throws: ClobError.self) { try client.cancelAll() }
        #expect(throws: ClobError.self) { try client.version() }
        #expect(server.requests.count == 1)
    }

    @Test func retryAfterGateExpires() {
        let gate = RetryAfterGate()
        let start = ContinuousClock.now
        gate.pause(seconds: 2, now: start)
        #expect(gate.remainingSeconds(now: start) == 2)
        #expect(gate.remainingSeconds(now: start.advanced(by: .milliseconds(1500))) == 1)
        #expect(gate.remainingSeconds(now: start.advanced(by: .seconds(2))) == nil)
        gate.pause(seconds: 1, now: start)  // a shorter pause does not cut a longer one
        #expect(gate.remainingSeconds(now: start.advanced(by: .milliseconds(1500))) == 1)
    }

    @Test func batchLegsEachGetTheirOwnOutcome() throws {
        let server = try ScriptedHTTPServer { _ in .respond(status: 200, body: Self.fixture("http_batch_order_response.json")) }
        defer { server.stop() }
        let outcomes = try Self.client(server).postOrders(bodies: [Self.sampleBody, Self.sampleBody, Self.sampleBody])
        #expect(outcomes.count == 3)
        // Leg 0 has success and an id but no status: not proof of placement, so unknown (look it up).
        guard case .unknown = outcomes[0] else { Issue.record("leg 0: \(outcomes[0])"); return }
        #expect(outcomes[1] == .rejected(reason: "not enough balance / allowance: the balance is not enough"))
        #expect(outcomes[2] == .rejected(reason: "invalid post-only order: order crosses book"))
        #expect(server.requests.first?.bodyText.hasPrefix("[{\"order\"") == true)
        #expect(try Self.client(server).postOrders(bodies: Array(repeating: Self.sampleBody, count: 16)).allSatisfy {
            if case .refused(.notSent) = $0 { return true }; return false
        })
        #expect(server.requests.count == 1, "an oversized batch is never sent")
    }

    @Test func paginatesUntilTheEndCursor() throws {
        let order = #"{"id":"0x01","status":"ORDER_STATUS_LIVE","owner":"o","maker_address":"0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266","market":"0xm","asset_id":"7","side":"BUY","original_size":"10","size_matched":"0","price":"0.5","outcome":"Up","expiration":"0","order_type":"GTC","associate_trades":[],"created_at":1}"#
        let server = try ScriptedHTTPServer { request in
            if request.target.contains("next_cursor=MA%3D%3D") {
                return .respond(status: 200, body: #"{"limit":1,"count":1,"next_cursor":"MQ==","data":[\#(order)]}"#)
            }
            return .respond(status: 200, body: #"{"limit":1,"count":1,"next_cursor":"LTE=","data":[\#(order.replacingOccurrences(of: "0x01", with: "0x02"))]}"#)
        }
        defer { server.stop() }
        let orders = try Self.client(server).openOrders(tokenID: TokenID(UInt256(UInt64(7))))
        #expect(orders.map(\.id) == ["0x01", "0x02"])
        #expect(orders[0].status == "LIVE" && orders[0].price == Price(micros: 500_000) && orders[0].originalSize == Shares(micros: 10_000_000))
        #expect(server.requests.map(\.path) == ["/data/orders", "/data/orders"])
        #expect(server.requests[0].target.contains("asset_id=7"))
        // The HMAC covers the path only, never the query.
        let signer = try L2Signer(credentials: Self.credentials, address: Self.key.address)
        #expect(server.requests[0].headers["poly_signature"] == signer.signature(message: "1780000000GET/data/orders"))
    }

    @Test func anUnknownOrderIsNilAndOtherErrorsThrow() throws {
        let server = try ScriptedHTTPServer { request in
            request.path.hasSuffix("0xgone") ? .respond(status: 404, body: #"{"error":"Order not found"}"#)
                                              : .respond(status: 500, body: #"{"error":"boom"}"#)
        }
        defer { server.stop() }
        #expect(try Self.client(server).order(id: "0xgone") == nil)
        #expect(throws: ClobError.self) { try Self.client(server).order(id: "0xother") }
    }

    @Test func publicCallsParseTheVenueShapes() throws {
        let server = try ScriptedHTTPServer { request in
            switch request.path {
            case "/version": return .respond(status: 200, body: #"{"version":3}"#)
            case "/time": return .respond(status: 200, body: "1780000123")
            case "/tick-size": return .respond(status: 200, body: #"{"minimum_tick_size":0.001}"#)
            case "/neg-risk": return .respond(status: 200, body: #"{"neg_risk":true}"#)
            case "/book": return .respond(status: 200, body: Self.fixture("clob_book_response_empty_ask.json"))
            default: return .respond(status: 404, body: #"{"error":"not found"}"#)
            }
        }
        defer { server.stop() }
        let client = try Self.client(server)
        let token = try TokenID(decimal: "72610532355343625199299853218161700546393390326785971247545541945337255643692")
        #expect(try client.version() == 3)
        #expect(try client.serverTime() == 1_780_000_123)
        #expect(try client.tickSize(token) == .thousandth)
        #expect(try client.negRisk(token))
        let book = try client.book(token)
        #expect(book.tokenID == token && book.asks.isEmpty && book.bestBid?.price == Price(micros: 2_000))
        #expect(book.tickSize == .thousandth && book.minOrderSize == Shares(micros: 5_000_000) && book.lastTradePrice == nil)
    }

    @Test func l1CallsSignClobAuth() throws {
        let server = try ScriptedHTTPServer { _ in .respond(status: 200, body: Self.fixture("http_api_credentials.json")) }
        defer { server.stop() }
        let creds = try Self.client(server).deriveApiKey(signingWith: Self.key, nonce: UInt256(UInt64(23)))
        #expect(creds.apiKey == "test-api-key")
        let request = try #require(server.requests.first)
        #expect(request.method == "GET" && request.path == "/auth/derive-api-key")
        let expected = try L1Headers(key: Self.key, chain: .polygon, timestamp: "1780000000", nonce: UInt256(UInt64(23)))
        #expect(request.headers["poly_signature"] == expected.signature.hex && request.headers["poly_nonce"] == "23")
    }
}
