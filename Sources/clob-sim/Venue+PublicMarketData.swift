import PolypipeCore

/// The public market-data calls strategies use (spec §4.4), computed from the unified books
/// `GET /book` serves (``PublicMarketDataCall``).
extension Venue {
    /// Most tokens one batch call may name (spec §4.4; the openapi says 500 for last-trades-prices).
    static let maxBatchTokens = 500

    /// Answers one public market-data call. A single-token call answers 404 (`No orderbook
    /// exists…`) when the book lacks the side it needs; a batch call leaves such a token out of
    /// its map instead, and refuses the whole batch (400/404) for a malformed entry or an
    /// unknown token, naming it.
    func publicMarketData(_ call: PublicMarketDataCall, _ request: SimRequest) throws(SimError) -> SimResponse {
        switch call {
        case .price:
            let side = try Self.side(request.query["side"])
            return .json(.object([("price", .number(MicroUnits.format(try best(try tokenBook(request.query["token_id"]), side))))]))
        case .midpoint:
            let mid = MicroUnits.format(try midpoint(try tokenBook(request.query["token_id"])))
            // Official SDKs read `mid`, the openapi names `mid_price`: both (spec §4.4).
            return .json(.object([("mid", .string(mid)), ("mid_price", .string(mid))]))
        case .spread:
            return .json(.object([("spread", .string(MicroUnits.format(try spread(try tokenBook(request.query["token_id"])))))]))
        case .lastTradePrice:
            let book = try tokenBook(request.query["token_id"])
            let (price, side) = lastTradeFields(book.token)
            return .json(.object([("price", .string(price)), ("side", .string(side))]))
        case .feeRate:
            let token = request.query["token_id"] ?? request.path.split(separator: "/").dropFirst().first.map(String.init)
            _ = try tokenBook(token)
            // The legacy V1 base fee in bps, an integer in the openapi: the sim charges none
            // (V2 fees are the `fd` curve of /clob-markets, spec §2.5).
            return .json(.object([("base_fee", .number("0"))]))
        case .pricesHistory:
            guard let tokenText = request.query["market"] else { throw .badRequest("prices-history: market (the token id) is required") }
            let book = try tokenBook(tokenText)
            let query = try PriceHistory.Query(request.query, nowSeconds: nowSeconds)
            let points = query.select(priceHistoryPoints(token: book.token))
            return .json(.object([("history", .array(points.map {
                .object([("t", .number(String($0.second))), ("p", .number(MicroUnits.format($0.price)))])
            }))]))
        case .books:
            return .json(.array(try batch(request).map { bookJSON(market: $0.book.market, token: $0.book.token) }))
        case .prices:
            var prices: [(key: String, value: JSONValue)] = []
            for item in try batch(request, sides: true) {
                guard let side = item.side else { throw .badRequest("Invalid side") }
                guard let price = try? best(item.book, side) else { continue }
                let entry = (key: side.rawValue, value: JSONValue.number(MicroUnits.format(price)))
                if let index = prices.firstIndex(where: { $0.key == item.book.token.description }), case .object(var sides) = prices[index].value {
                    sides.removeAll { $0.key == entry.key }
                    sides.append(entry)
                    prices[index].value = .object(sides)
                } else {
                    prices.append((item.book.token.description, .object([entry])))
                }
            }
            return .json(.object(prices))
        case .midpoints:
            return .json(.object(try batch(request).compactMap { item in
                (try? midpoint(item.book)).map { (item.book.token.description, JSONValue.string(MicroUnits.format($0))) }
            }))
        case .spreads:
            return .json(.object(try batch(request).compactMap { item in
                (try? spread(item.book)).map { (item.book.token.description, JSONValue.string(MicroUnits.format($0))) }
            }))
        case .lastTradesPrices:
            return .json(.array(try batch(request).map { item in
                let (price, side) = lastTradeFields(item.book.token)
                return .object([("token_id", .string(item.book.token.description)), ("price", .string(price)), ("side", .string(side))])
            }))
        }
    }

    // MARK: Numbers, from the same unified book `GET /book` serves

    /// A token, its market and its unified book (``unifiedBook(market:token:)``).
    struct TokenBook {
        let token: TokenID
        let market: SimMarket
        let bids: [(price: UInt64, size: UInt64)]
        let asks: [(price: UInt64, size: UInt64)]
    }

    func tokenBook(_ tokenText: String?) throws(SimError) -> TokenBook {
        let market = try market(tokenText: tokenText)
        guard let token = try? TokenID(decimal: tokenText ?? "") else { throw .badRequest("Invalid token id") }
        let levels = unifiedBook(market: market, token: token)
        return TokenBook(token: token, market: market, bids: levels.bids, asks: levels.asks)
    }

    /// `BUY` → the best bid, `SELL` → the best ask (the openapi's reading, spec §4.4); the best
    /// level is the last of each side.
    func best(_ book: TokenBook, _ side: Side) throws(SimError) -> UInt64 {
        guard let level = side == .buy ? book.bids.last : book.asks.last else { throw .notFound("No orderbook exists for the requested token id") }
        return level.price
    }

    /// (best bid + best ask) / 2 in micro-units; 404 without both sides.
    func midpoint(_ book: TokenBook) throws(SimError) -> UInt64 {
        let bid = try best(book, .buy)
        let ask = try best(book, .sell)
        return (bid + ask) / 2
    }

    /// Best ask − best bid; 404 without both sides.
    func spread(_ book: TokenBook) throws(SimError) -> UInt64 {
        let bid = try best(book, .buy)
        let ask = try best(book, .sell)
        return ask >= bid ? ask - bid : 0
    }

    /// The last trade on `token` (the one `GET /book` reports as `last_trade_price`), as the
    /// venue writes it: `("0.5", "")` when there is none (openapi).
    func lastTradeFields(_ token: TokenID) -> (price: String, side: String) {
        guard let trade = lastTrade(of: token) else { return ("0.5", "") }
        return (MicroUnits.format(trade.price), trade.side.rawValue)
    }

    /// The points of `token`'s price history: every trade that priced it (the taker's average
    /// price, or a maker leg's price on this token) and the per-minute mids, by time. Trades
    /// that ended FAILED are left out.
    func priceHistoryPoints(token: TokenID) -> [PriceHistory.Point] {
        var points = priceHistory.samples[token] ?? []
        for trade in engine.trades where trade.status != .failed {
            if trade.token == token {
                points.append(.init(second: trade.matchedAt / 1000, price: trade.price))
            } else if let leg = trade.makerLegs.last(where: { $0.token == token }) {
                points.append(.init(second: trade.matchedAt / 1000, price: leg.price))
            }
        }
        // Stable: at equal times a sample stays before the trades of that second.
        return points.enumerated().sorted { ($0.element.second, $0.offset) < ($1.element.second, $1.offset) }.map(\.element)
    }

    /// Samples every open market's mids once a sim minute (called from ``tick()``).
    func samplePriceHistory() {
        let now = nowSeconds
        guard priceHistory.isDue(at: now) else { return }
        var mids: [(token: TokenID, price: UInt64)] = []
        for market in catalog.markets where !market.closed {
            for token in market.tokens {
                let levels = unifiedBook(market: market, token: token)
                if let bid = levels.bids.last, let ask = levels.asks.last { mids.append((token, (bid.price + ask.price) / 2)) }
            }
        }
        priceHistory.record(mids: mids, at: now)
    }

    // MARK: Requests

    private static func side(_ text: String?) throws(SimError) -> Side {
        guard let side = Side(text: text ?? "") else { throw .badRequest("Invalid side") }
        return side
    }

    /// The tokens (and sides) a batch call names: a JSON array body for `POST`, `token_ids`
    /// (and `sides`, same order) for `GET`. At most ``maxBatchTokens``.
    private func batch(_ request: SimRequest, sides: Bool = false) throws(SimError) -> [(book: TokenBook, side: Side?)] {
        var items: [(token: String, side: String?)] = []
        if request.method == "POST" {
            guard case .array(let entries)? = try? JSONParser.parse(request.body) else { throw .badRequest("Invalid payload") }
            for entry in entries {
                guard let token = entry["token_id"]?.scalarText else { throw .badRequest("Invalid payload: every entry needs a token_id") }
                items.append((token, entry["side"]?.scalarText))
            }
        } else {
            guard let list = request.query["token_ids"], !list.isEmpty else { throw .badRequest("Invalid payload: token_ids is required") }
            let tokens = list.split(separator: ",").map(String.init)
            let sideList = request.query["sides"]?.split(separator: ",").map(String.init) ?? []
            guard !sides || sideList.count == tokens.count else { throw .badRequest("Invalid payload: sides must name one side per token id") }
            items = tokens.enumerated().map { ($1, sides ? sideList[$0] : nil) }
        }
        guard items.count <= Self.maxBatchTokens else { throw .badRequest("Payload exceeds the limit") }
        var result: [(book: TokenBook, side: Side?)] = []
        for item in items {
            do {
                result.append((try tokenBook(item.token), sides ? try Self.side(item.side) : nil))
            } catch {
                // The venue's message first (clients match on it), then the entry at fault.
                throw SimError(status: error.status, message: "\(error.message): \(item.token)")
            }
        }
        return result
    }
}
