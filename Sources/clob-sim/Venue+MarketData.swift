import Crypto
import Foundation
import PolypipeCore

/// Public market data (spec §4.4) and market discovery (§4.4 `/markets`, Gamma `/events`).
extension Venue {
    func book(_ request: SimRequest) throws(SimError) -> SimResponse {
        let market = try market(tokenText: request.query["token_id"])
        guard let token = try? TokenID(decimal: request.query["token_id"] ?? "") else { throw .badRequest("Invalid token id") }
        return .json(bookJSON(market: market, token: token))
    }

    /// The book summary, `hash` = SHA-1 of the compact summary with `hash` empty (py client's rule).
    /// The public book of `token`: its own orders plus the sibling's, mirrored (a bid for the
    /// other outcome at p is an ask here at 1 − p, spec §7). Bids ascending, asks descending.
    func unifiedBook(market: SimMarket, token: TokenID) -> (bids: [(price: UInt64, size: UInt64)], asks: [(price: UInt64, size: UInt64)]) {
        let own = engine.book(token)
        var bids: [UInt64: UInt64] = [:]
        var asks: [UInt64: UInt64] = [:]
        for level in own.bids { bids[level.price, default: 0] += level.size }
        for level in own.asks { asks[level.price, default: 0] += level.size }
        if let sibling = market.sibling(of: token) {
            let other = engine.book(sibling)
            for level in other.bids { asks[1_000_000 - level.price, default: 0] += level.size }
            for level in other.asks { bids[1_000_000 - level.price, default: 0] += level.size }
        }
        return (bids.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }, asks.sorted { $0.key > $1.key }.map { ($0.key, $0.value) })
    }

    func bookJSON(market: SimMarket, token: TokenID) -> JSONValue {
        let levels = unifiedBook(market: market, token: token)
        func side(_ levels: [(price: UInt64, size: UInt64)]) -> JSONValue {
            .array(levels.map { .object([("price", .string(MicroUnits.format($0.price))), ("size", .string(MicroUnits.format($0.size)))]) })
        }
        let lastTrade = lastTrade(of: token).map { MicroUnits.format($0.price) } ?? ""
        var members: [(key: String, value: JSONValue)] = [
            ("market", .string(market.conditionID)), ("asset_id", .string(token.description)),
            ("timestamp", .string(String(nowMillis))), ("hash", .string("")),
            ("bids", side(levels.bids)), ("asks", side(levels.asks)),
            ("min_order_size", .string(market.minimumSize.description)), ("tick_size", .string(market.tick.rawValue)),
            ("neg_risk", .bool(market.negRisk)), ("last_trade_price", .string(lastTrade)),
        ]
        let digest = Insecure.SHA1.hash(data: Array(JSONWriter.serialize(.object(members)).utf8))
        members[3] = ("hash", .string(digest.map { String(format: "%02x", $0) }.joined()))
        return .object(members)
    }

    /// The latest trade whose taker traded `token`: `last_trade_price` of `/book`, and
    /// `/last-trade-price`.
    func lastTrade(of token: TokenID) -> SimTrade? {
        engine.trades.last { $0.token == token }
    }

    func tickSize(_ request: SimRequest, _ parts: [String]) throws(SimError) -> SimResponse {
        let market = try market(tokenText: request.query["token_id"] ?? parts.dropFirst().first)
        return .json(.object([("minimum_tick_size", .number(market.tick.rawValue))]))
    }

    func clobMarket(_ market: SimMarket) -> JSONValue {
        let tokens: [JSONValue] = market.tokens.enumerated().map { index, token in
            let levels = unifiedBook(market: market, token: token)
            let price = levels.bids.last.map { MicroUnits.format($0.price) } ?? "0.5"
            return .object([("token_id", .string(token.description)), ("outcome", .string(market.outcomes[index])),
                            ("price", .number(price)), ("winner", .bool(market.winner == index))])
        }
        return .object([
            ("condition_id", .string(market.conditionID)), ("question_id", .string(market.conditionID)),
            ("question", .string(market.question)), ("market_slug", .string(market.slug)), ("tokens", .array(tokens)),
            ("minimum_order_size", .number(market.minimumSize.description)), ("minimum_tick_size", .number(market.tick.rawValue)),
            ("neg_risk", .bool(market.negRisk)), ("accepting_orders", .bool(market.acceptingOrders && !market.closed)),
            ("active", .bool(!market.closed)), ("closed", .bool(market.closed)), ("enable_order_book", .bool(true)),
            ("end_date_iso", market.window.map { .string(Self.iso8601($0.upperBound)) } ?? .null),
            ("seconds_delay", .number("0")), ("maker_base_fee", .number("0")), ("taker_base_fee", .number("0")),
        ])
    }

    /// `/clob-markets/{id}`'s compact keys (spec §4.4).
    func compactMarket(_ market: SimMarket) -> JSONValue {
        var members: [(key: String, value: JSONValue)] = [
            ("c", .string(market.conditionID)),
            ("t", .array(market.tokens.enumerated().map { .object([("t", .string($1.description)), ("o", .string(market.outcomes[$0]))]) })),
            ("mts", .number(market.tick.rawValue)), ("mos", .number(market.minimumSize.description)),
        ]
        if market.negRisk { members.append(("nr", .bool(true))) }
        members += [("fd", market.fees.compactJSON), ("ao", .bool(market.acceptingOrders && !market.closed)), ("sd", .number("0"))]
        if market.takerDelay { members.append(("itode", .bool(true))) }  // omitted when false (openapi)
        return .object(members)
    }

    func marketsPage(_ request: SimRequest) -> SimResponse {
        let all = catalog.markets.map(clobMarket)
        return .json(.object([("limit", .number(String(all.count))), ("count", .number(String(all.count))),
                              ("next_cursor", .string("LTE=")), ("data", .array(all))]))
    }

    /// Gamma-style `GET /events?slug=`: the market's event with its Gamma market object, and for
    /// a running Up/Down window `eventMetadata.priceToBeat` (its start price, what strategies
    /// joining mid-window need).
    func events(_ request: SimRequest) -> SimResponse {
        // A mirrored window is described by the upstream's own event (its price to beat, its end).
        if let slug = request.query["slug"], let upstream = mirror?.events[slug] { return .json(upstream) }
        let wanted = catalog.markets.filter { request.query["slug"] == nil || $0.slug == request.query["slug"] }
        let events: [JSONValue] = wanted.map { market in
            let ids = JSONWriter.serialize(.array(market.tokens.map { .string($0.description) }))
            let outcomes = JSONWriter.serialize(.array(market.outcomes.map { .string($0) }))
            var gamma: [(key: String, value: JSONValue)] = [
                ("id", .string(String(market.conditionID.suffix(8)))), ("question", .string(market.question)),
                ("conditionId", .string(market.conditionID)), ("slug", .string(market.slug)),
                ("outcomes", .string(outcomes)), ("clobTokenIds", .string(ids)),
                ("version", .string(market.exchangeVersion == .v3 ? "v2" : "v1")), ("negRisk", .bool(market.negRisk)),
                ("orderPriceMinTickSize", .number(market.tick.rawValue)), ("orderMinSize", .number(market.minimumSize.description)),
                ("active", .bool(!market.closed)), ("closed", .bool(market.closed)),
                ("acceptingOrders", .bool(market.acceptingOrders && !market.closed)), ("enableOrderBook", .bool(true)),
            ] + market.fees.gammaFields
            if market.exchangeVersion == .v3 { gamma.append(("positionIds", .array(market.tokens.map { .string($0.description) }))) }
            if let window = market.window {
                gamma.append(("eventStartTime", .string(Self.iso8601(window.lowerBound))))
                gamma.append(("endDate", .string(Self.iso8601(window.upperBound))))
            }
            var event: [(key: String, value: JSONValue)] = [
                ("id", .string(String(market.conditionID.suffix(8)))), ("slug", .string(market.slug)),
                ("title", .string(market.question)), ("markets", .array([.object(gamma)])),
            ]
            // Polymarket fills the event's `eventMetadata.priceToBeat` (the window's start
            // reference price) a few seconds after the window opens (observed, spec §6.3); the
            // sim knows it at once. Omitted before the start, as on the venue.
            if let window = market.window, window.lowerBound <= nowSeconds, let start = reference?.price(at: window.lowerBound) {
                let value = "\(start / 100).\(String(format: "%02lld", start % 100))"
                event.append(("eventMetadata", .object([("priceToBeat", .number(value))])))
            }
            return .object(event)
        }
        return .json(.array(events))
    }

    static func iso8601(_ seconds: Int64) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.timeZone = TimeZone(identifier: "UTC")
        return formatter.string(from: Date(timeIntervalSince1970: TimeInterval(seconds)))
    }
}
