import PolypipeCore
import VenueClient

extension FakeVenue {
    /// The order id the venue gives a posted body: the EIP-712 digest of its order under
    /// `exchange` on Polygon, as the real venue computes it (spec §1.5). Empty when the body is
    /// not an order.
    public static func orderID(ofBody body: [UInt8]?, exchange: Exchange = .ctfV2) -> String {
        guard let body, let json = try? JSONParser.parse(body), let decoded = try? OrderPayload.decode(json) else { return "" }
        return Hex.encode(EIP712.digest(domainSeparator: exchange.domain(on: .polygon).separator, structHash: decoded.order.structHash))
    }

    static func json(_ status: Int, _ text: String) -> HTTPResponse { answer(status, text) }

    static func page(_ items: [String]) -> HTTPResponse {
        json(200, #"{"limit": 500, "count": \#(items.count), "next_cursor": "LTE=", "data": [\#(items.joined(separator: ","))]}"#)
    }

    /// The venue's own behaviour for one request.
    func answer(_ request: Request) throws(TransportError) -> HTTPResponse {
        let world = withState { $0 }
        let token = request.query("token_id") ?? String(request.path.split(separator: "/").last ?? "")
        let market = world.markets.first { $0.tokens.contains(token) }
        switch (request.method, request.path) {
        case (_, "/version"): return Self.json(200, #"{"version": \#(world.version)}"#)
        case (_, "/tick-size"): return Self.json(200, #"{"minimum_tick_size": \#(market?.tickSize ?? "0.01")}"#)
        case (_, "/neg-risk"): return Self.json(200, #"{"neg_risk": \#(market?.exchange == .negRiskV2)}"#)
        case (_, _) where request.path.hasPrefix("/markets-by-token/"):
            guard let market else { return Self.json(404, #"{"error": "market not found"}"#) }
            return Self.json(200, #"{"condition_id": "\#(market.condition)", "primary_token_id": "\#(market.tokens[0])", "secondary_token_id": "\#(market.tokens[1])"}"#)
        case (_, "/book"):
            return Self.json(200, #"{"market": "\#(market?.condition ?? "")", "asset_id": "\#(token)", "timestamp": "1", "hash": "h", "bids": [{"price": "\#(market?.bid ?? "0.48")", "size": "100"}], "asks": [{"price": "\#(market?.ask ?? "0.52")", "size": "100"}], "min_order_size": "5", "tick_size": "\#(market?.tickSize ?? "0.01")", "neg_risk": false}"#)
        case ("POST", "/order"): return try place(request)
        case ("POST", "/orders"): return try placeBatch(request)
        case (_, "/data/orders"):
            return Self.page(world.placementOrder.compactMap { world.orders[$0] }.filter { $0.status == "LIVE" }.map(\.json))
        case (_, _) where request.path.hasPrefix("/data/order/"):
            let id = String(request.path.dropFirst("/data/order/".count)).lowercased()
            guard let order = world.orders[id] else { return Self.json(404, #"{"error": "Order not found"}"#) }
            return Self.json(200, order.json)
        case (_, "/data/trades"): return Self.page(world.trades.map(\.json))
        case (_, "/cancel-all"): return cancel { _ in true }
        case ("DELETE", "/order"), ("DELETE", "/orders"):
            // Every id named in the body: {"orderID": id} or [id, …].
            let body = String(decoding: request.body, as: UTF8.self).lowercased()
            let named = body.split(whereSeparator: { !$0.isHexDigit && $0 != "x" }).map(String.init).filter { $0.hasPrefix("0x") }
            return cancel(named: named)
        case ("DELETE", "/cancel-market-orders"):
            let body = (try? JSONParser.parse(request.body)) ?? .object([])
            let market = body["market"]?.scalarText?.lowercased()
            let asset = body["asset_id"]?.scalarText
            let ids = Set(world.orders.values.filter { order in
                (market == nil || order.market.lowercased() == market) && (asset == nil || order.token == asset)
            }.map { $0.id.lowercased() })
            return cancel { ids.contains($0) }
        case (_, "/balance-allowance"):
            let v3 = request.query("asset_type") == "CONDITIONAL-V2"
            let held = (v3 ? world.balancesV3 : world.balances)[token] ?? 0
            return Self.json(200, #"{"balance": "\#(held)", "allowances": {}}"#)
        case (_, "/v1/heartbeats"):
            let beat = withState { state -> Int in state.heartbeats += 1; return state.heartbeats }
            return Self.json(200, #"{"heartbeat_id": "hb-\#(beat)"}"#)
        default:
            return Self.json(404, #"{"error": "not scripted: \#(request.method) \#(request.path)"}"#)
        }
    }

    private func place(_ request: Request) throws(TransportError) -> HTTPResponse {
        let world = withState { $0 }
        let parsed = (try? JSONParser.parse(request.body)).flatMap { try? OrderPayload.decode($0) }
        let token = parsed.map { String(describing: $0.order.tokenID) } ?? ""
        let market = world.markets.first { $0.tokens.contains(token) }
        let exchange = world.version == 3 ? Exchange.v3 : (market?.exchange ?? .ctfV2)
        let id = Self.orderID(ofBody: request.body, exchange: exchange)
        func rest(_ status: String) {
            self.rest(FakeOrder(id: id, market: market?.condition ?? "", token: token,
                                side: String(decoding: request.body, as: UTF8.self).contains(#""side":"SELL""#) ? "SELL" : "BUY",
                                status: status))
        }
        switch orderAnswer {
        case .accept(let status):
            rest(status == "live" ? "LIVE" : status == "delayed" ? "DELAYED" : "MATCHED")
            return Self.json(200, #"{"success": true, "errorMsg": "", "orderID": "\#(id)", "status": "\#(status)", "makingAmount": "", "takingAmount": "", "tradeIDs": [], "transactionsHashes": []}"#)
        case .error(let status, let message):
            return Self.json(status, #"{"error": "\#(message)"}"#)
        case .timeout(let placed):
            if placed { rest("LIVE") }
            throw .timedOut("scripted timeout")
        }
    }

    /// Cancels the named orders that rest; the others are answered in `not_canceled` with the
    /// venue's reasons (spec §4.2): a matched order "Order already matched", any other
    /// "Order not found or already canceled".
    private func cancel(named ids: [String]) -> HTTPResponse {
        let (canceled, refused) = withState { state -> ([String], [(String, String)]) in
            var canceled: [String] = []
            var refused: [(String, String)] = []
            for id in ids {
                switch state.orders[id]?.status {
                case "LIVE": state.orders[id]?.status = "CANCELED"; canceled.append(id)
                case "MATCHED": refused.append((id, "Order already matched"))
                default: refused.append((id, "Order not found or already canceled"))
                }
            }
            return (canceled, refused)
        }
        let reasons = refused.map { #""\#($0.0)": "\#($0.1)""# }.joined(separator: ",")
        return Self.json(200, #"{"canceled": [\#(canceled.map { #""\#($0)""# }.joined(separator: ","))], "not_canceled": {\#(reasons)}}"#)
    }

    /// `POST /orders`: each leg as a `POST /order` under ``orderAnswer``, answered as one array
    /// in order. An HTTP error answers the whole request; a scripted timeout places every leg
    /// (or none) and then times out the whole request.
    private func placeBatch(_ request: Request) throws(TransportError) -> HTTPResponse {
        guard case .array(let legs)? = try? JSONParser.parse(request.body) else { return Self.json(400, #"{"error": "Invalid order payload"}"#) }
        var results: [String] = []
        var timeout: TransportError?
        for leg in legs {
            let single = Request(method: "POST", path: "/order", query: "", body: Array(JSONWriter.serialize(leg).utf8))
            do throws(TransportError) {
                let answer = try place(single)
                guard answer.status == 200 else { return answer }
                results.append(String(decoding: answer.body, as: UTF8.self))
            } catch {
                timeout = error
            }
        }
        if let timeout { throw timeout }
        return Self.json(200, "[" + results.joined(separator: ",") + "]")
    }

    private func cancel(_ matches: (String) -> Bool) -> HTTPResponse {
        let canceled = withState { state -> [String] in
            let ids = state.placementOrder.filter { state.orders[$0]?.status == "LIVE" && matches($0) }
            for id in ids { state.orders[id]?.status = "CANCELED" }
            return ids
        }
        return Self.json(200, #"{"canceled": [\#(canceled.map { #""\#($0)""# }.joined(separator: ","))], "not_canceled": {}}"#)
    }
}
