
/// The public market-data calls strategies use (spec §4.4, shapes from the official openapi in
/// `fixtures/venue/official-spec/polyoxide/openapi.yaml`), besides `GET /book`.
enum PublicMarketDataCall: Sendable, Equatable {
    case price, prices, midpoint, midpoints, spread, spreads, lastTradePrice, lastTradesPrices, feeRate, pricesHistory, books

    /// The call a request is, or nil. Batch calls answer `POST` with a body of
    /// `[{"token_id", "side"?}]` and `GET` with `?token_ids=a,b` (and `sides=` for prices).
    init?(method: String, parts: [String]) {
        guard method == "GET" || method == "POST", let first = parts.first else { return nil }
        if first == "fee-rate", method == "GET", parts.count <= 2 { self = .feeRate; return }
        guard parts.count == 1 else { return nil }
        let single: [String: PublicMarketDataCall] = ["price": .price, "midpoint": .midpoint, "spread": .spread,
                                                       "last-trade-price": .lastTradePrice, "prices-history": .pricesHistory]
        let batch: [String: PublicMarketDataCall] = ["prices": .prices, "midpoints": .midpoints, "spreads": .spreads,
                                                      "last-trades-prices": .lastTradesPrices, "books": .books]
        if method == "GET", let call = single[first] { self = call; return }
        guard let call = batch[first], method == "POST" || call != .spreads else { return nil }
        self = call
    }
}
