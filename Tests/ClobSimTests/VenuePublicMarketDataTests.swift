@testable import clob_sim
import Foundation
import Testing
import PolypipeCore
import VenueClient

/// The public market-data calls (spec §4.4): field names and JSON types as the official openapi
/// (`fixtures/venue/official-spec/polyoxide/openapi.yaml`) gives them, numbers from the same
/// unified book `GET /book` serves.
extension VenueTests {
    func get(_ target: String) async throws -> (status: Int, json: JSONValue) {
        let answer = await venue.handle(SimRequest(method: "GET", target: target))
        return (answer.status, try JSONParser.parse(answer.body))
    }

    func post(_ target: String, _ body: JSONValue) async throws -> (status: Int, json: JSONValue) {
        let answer = await venue.handle(SimRequest(method: "POST", target: target, body: Array(JSONWriter.serialize(body).utf8)))
        return (answer.status, try JSONParser.parse(answer.body))
    }

    /// Up: bid 0.35 (Alice), ask 0.60 (Bob's Down bid at 0.40, mirrored). Down: bid 0.40, ask 0.65.
    func quotedBook() async throws -> (alice: L2Signer, bob: L2Signer) {
        let aliceL2 = try await login(Self.alice)
        let bobL2 = try await login(Self.bob)
        #expect(await venue.handle(l2(bobL2, "POST", "/order", body: try signedBody(Self.bob, bobL2, side: .buy, price: "0.40", size: "10", token: 1))).status == 200)
        #expect(await venue.handle(l2(aliceL2, "POST", "/order", body: try signedBody(Self.alice, aliceL2, side: .buy, price: "0.35", size: "20", salt: 2))).status == 200)
        return (aliceL2, bobL2)
    }

    static func isString(_ value: JSONValue?) -> Bool { if case .string? = value { return true }; return false }
    static func isNumber(_ value: JSONValue?) -> Bool { if case .number? = value { return true }; return false }
    static func isInteger(_ value: JSONValue?) -> Bool { if case .number(let text)? = value { return Int64(text) != nil }; return false }

    @Test func singleTokenCallsMatchTheBookAndTheOpenAPIShapes() async throws {
        _ = try await quotedBook()
        let up = market.tokens[0], down = market.tokens[1]
        let book = try await get("/book?token_id=\(up)").json
        func best(_ side: String) -> String? {
            if case .array(let levels)? = book[side] { return levels.last?["price"]?.scalarText }
            return nil
        }
        #expect(best("bids") == "0.35" && best("asks") == "0.6")

        // /price: BUY → best bid, SELL → best ask; `price` is a number.
        let bid = try await get("/price?token_id=\(up)&side=BUY").json
        #expect(Self.isNumber(bid["price"]) && bid["price"]?.scalarText == best("bids"))
        #expect(try await get("/price?token_id=\(up)&side=SELL").json["price"]?.scalarText == best("asks"))
        #expect(try await get("/price?token_id=\(up)&side=HOLD").status == 400)
        // /midpoint: `mid_price` (openapi) and `mid` (SDKs), strings.
        let mid = try await get("/midpoint?token_id=\(up)").json
        #expect(mid["mid_price"] == .string("0.475") && mid["mid"] == .string("0.475"))
        #expect(try await get("/midpoint?token_id=\(down)").json["mid_price"] == .string("0.525"))
        // /spread: a string.
        #expect(try await get("/spread?token_id=\(up)").json["spread"] == .string("0.25"))
        // /fee-rate: `base_fee`, an integer (bps); also by path.
        let fee = try await get("/fee-rate?token_id=\(up)").json
        #expect(Self.isInteger(fee["base_fee"]))
        #expect(try await get("/fee-rate/\(up)").json == fee)
        // No trade yet: "0.5" and "" (openapi).
        #expect(try await get("/last-trade-price?token_id=\(up)").json == .object([("price", .string("0.5")), ("side", .string(""))]))
        // Bad and unknown tokens.
        #expect(try await get("/midpoint?token_id=abc").status == 400)
        #expect(try await get("/spread?token_id=12345").status == 404)
        // An empty side: 404 as for /book's missing orderbook.
        #expect(try await get("/price?token_id=\(try v3Market.tokens[0])&side=BUY").status == 404)
    }

    @Test func batchCallsAnswerPerTokenFromTheSameBooks() async throws {
        _ = try await quotedBook()
        let up = market.tokens[0].description, down = market.tokens[1].description
        let tokens: JSONValue = .array([.object([("token_id", .string(up))]), .object([("token_id", .string(down))])])

        // /books: one summary per token, each what GET /book answers.
        let books = try await post("/books", tokens)
        #expect(books.status == 200)
        #expect(books.json == .array([try await get("/book?token_id=\(up)").json, try await get("/book?token_id=\(down)").json]))
        #expect(try await get("/books?token_ids=\(up),\(down)").json == books.json)
        // /prices: token → side → number.
        let prices = try await post("/prices", .array([.object([("token_id", .string(up)), ("side", .string("BUY"))]),
                                                       .object([("token_id", .string(up)), ("side", .string("SELL"))]),
                                                       .object([("token_id", .string(down)), ("side", .string("BUY"))])]))
        #expect(prices.json == .object([(up, .object([("BUY", .number("0.35")), ("SELL", .number("0.6"))])),
                                        (down, .object([("BUY", .number("0.4"))]))]))
        #expect(try await post("/prices", .array([.object([("token_id", .string(up))])])).status == 400, "a side is required")
        // /midpoints and /spreads: token → string.
        #expect(try await post("/midpoints", tokens).json == .object([(up, .string("0.475")), (down, .string("0.525"))]))
        #expect(try await post("/spreads", tokens).json == .object([(up, .string("0.25")), (down, .string("0.25"))]))
        // /last-trades-prices: [{token_id, price, side}], strings.
        let last = try await post("/last-trades-prices", tokens).json
        #expect(last == .array([.object([("token_id", .string(up)), ("price", .string("0.5")), ("side", .string(""))]),
                                .object([("token_id", .string(down)), ("price", .string("0.5")), ("side", .string(""))])]))
        // Bad payloads and the 500-token cap.
        #expect(try await post("/midpoints", .object([])).status == 400)
        let unknown = try await post("/spreads", .array([.object([("token_id", .string(up))]), .object([("token_id", .string("12345"))])]))
        #expect(unknown.status == 404 && unknown.json["error"] == .string("No orderbook exists for the requested token id: 12345"))
        let tooMany = JSONValue.array(Array(repeating: .object([("token_id", .string(up))]), count: 501))
        #expect(try await post("/last-trades-prices", tooMany).json["error"] == .string("Payload exceeds the limit"))
    }

    @Test func lastTradeAndPriceHistoryFollowTheTrades() async throws {
        let (aliceL2, _) = try await quotedBook()
        let up = market.tokens[0], down = market.tokens[1]
        let start = clock.read() / 1000
        await venue.tick()  // samples the mids
        clock.advance(millis: 60_000)
        // Alice buys 5 Up at 0.60 from Bob's Down bid (a mint): a trade on Up at 0.60, side BUY.
        let take = await venue.handle(l2(aliceL2, "POST", "/order", body: try signedBody(Self.alice, aliceL2, side: .buy, price: "0.60", size: "5", salt: 3)))
        #expect(take.body.contains(#""status":"matched""#), "\(take.body)")
        let book = try await get("/book?token_id=\(up)").json
        let last = try await get("/last-trade-price?token_id=\(up)").json
        #expect(last == .object([("price", .string("0.6")), ("side", .string("BUY"))]))
        #expect(last["price"] == book["last_trade_price"])

        // History: the minute's mid sample, then the trade; t integer, p number.
        let history = try await get("/prices-history?market=\(up)&interval=1h").json
        let expected: JSONValue = .object([("history", .array([
            .object([("t", .number(String(start))), ("p", .number("0.475"))]),
            .object([("t", .number(String(start + 60))), ("p", .number("0.6"))]),
        ]))])
        #expect(history == expected)
        // Down priced by Bob's maker leg at 0.40.
        let downHistory = try await get("/prices-history?market=\(down)&startTs=\(start + 30)").json
        #expect(downHistory == .object([("history", .array([.object([("t", .number(String(start + 60))), ("p", .number("0.4"))])]))]))
        // A 5-minute fidelity keeps the last point of each 5-minute slot (both fall in one here).
        let coarse = try await get("/prices-history?market=\(up)&interval=max&fidelity=5").json
        #expect(coarse == .object([("history", .array([.object([("t", .number(String(start + 60))), ("p", .number("0.6"))])]))]))
        // Bad queries are named.
        let both = await venue.handle(SimRequest(method: "GET", target: "/prices-history?market=\(up)&interval=1h&startTs=1"))
        #expect(both.status == 400 && both.body.contains("interval"))
        let fidelity = await venue.handle(SimRequest(method: "GET", target: "/prices-history?market=\(up)&fidelity=0"))
        #expect(fidelity.status == 400 && fidelity.body.contains("fidelity"))
        #expect(try await get("/prices-history").status == 400)
    }
}
