import Foundation
import PolypipeCore

/// The sim's living markets: the reference-price walk, rolling Up/Down windows (listing,
/// resolution and payout) and the agents' quotes (spec §6.3, §7).
extension Venue {
    /// Advances the walk, lists and resolves windows, publishes the reference price once per sim
    /// second, and refreshes each market's agent quotes once per sim second (see
    /// ``MarketMaker/requoteDue(_:nowMillis:)``).
    func runMarkets() {
        let now = nowSeconds
        guard var reference else { return }
        reference.advance(to: now)
        self.reference = reference
        if let windows {
            for market in windows.wanted(now: now) where catalog.market(conditionID: market.conditionID) == nil {
                catalog.add(market)
            }
        }
        for market in catalog.markets where !market.closed {
            if let window = market.window, window.upperBound <= now { resolve(market) }
        }
        if now != lastQuoteSecond {
            lastQuoteSecond = now
            publishReferencePrice(reference, now: now)
        }
        let millis = nowMillis
        for market in catalog.markets where !market.closed && market.window != nil {
            guard agents.requoteDue(market, nowMillis: millis) else { continue }
            let value = fair(market, now: now)
            refineTickIfExtreme(market, fair: value)
            agents.requote(catalog.market(conditionID: market.conditionID) ?? market, fair: quotedFair(market, now: now), nowSeconds: now,
                           engine: &engine, nowMillis: nowMillis)
        }
    }

    /// When a window's price leaves [0.04, 0.96] its tick becomes 0.001, as on the venue, and
    /// market subscribers get `tick_size_change` (spec §5.1). One way only: resting 0.01 prices
    /// stay valid on the finer grid, the reverse would strand them.
    func refineTickIfExtreme(_ market: SimMarket, fair: UInt64) {
        guard market.tick == .hundredth, fair > 960_000 || fair < 40_000 else { return }
        catalog.update(conditionID: market.conditionID) { $0.tick = .thousandth }
        for token in market.tokens {
            broadcaster.publishMarket(asset: token.description, JSONWriter.serialize(.object([
                ("event_type", .string("tick_size_change")), ("asset_id", .string(token.description)),
                ("market", .string(market.conditionID)), ("old_tick_size", .string("0.01")), ("new_tick_size", .string("0.001")),
                ("timestamp", .string(String(nowMillis))),
            ])))
        }
    }

    /// The RTDS `crypto_prices` update for the walk's current price (its `value` is a JSON
    /// number, written exactly from integer cents).
    func publishReferencePrice(_ reference: ReferencePrice, now: Int64) {
        let millis = String(now * 1000)
        let value = "\(reference.cents / 100).\(String(format: "%02lld", reference.cents % 100))"
        let frame = JSONWriter.serialize(.object([
            ("topic", .string("crypto_prices")), ("type", .string("update")), ("timestamp", .string(millis)),
            ("payload", .object([("symbol", .string("btcusdt")), ("timestamp", .number(millis)), ("value", .number(value))])),
        ]))
        broadcaster.publishPrice(symbol: "btcusdt", frame)
    }

    /// Fair probability of Up (micro-units): 0.5 before the window opens, then the walk's
    /// model probability, kept away from 0 and 1.
    func fair(_ market: SimMarket, now: Int64, spot: Int64? = nil) -> UInt64 {
        guard let reference, let window = market.window, now >= window.lowerBound,
              let start = reference.price(at: window.lowerBound) else { return 500_000 }
        let probability = reference.probabilityUp(start: start, remaining: window.upperBound - now, spot: spot)
        return UInt64((min(max(probability, 0.03), 0.97) * 100).rounded()) * 10_000
    }

    /// The fair value the market makers quote around: ``fair(_:now:)`` from the reference price
    /// ``SimProfile/quoteLagSeconds`` ago (their view is a little stale, as real quotes are).
    func quotedFair(_ market: SimMarket, now: Int64) -> UInt64 {
        let lag = configuration.profile.quoteLagSeconds
        guard lag > 0, let reference, let spot = reference.price(at: now - lag) else { return fair(market, now: now) }
        return fair(market, now: now, spot: spot)
    }

    /// Closes a window: Up wins if the end price is at or above the start price; open orders are
    /// cancelled (`CANCELED_MARKET_RESOLVED`) and each winning share pays $1.
    func resolve(_ market: SimMarket) {
        guard let reference, let window = market.window,
              let start = reference.price(at: window.lowerBound), let end = reference.price(at: window.upperBound) ?? Optional(reference.cents) else { return }
        settleResolution(market, winner: end >= start ? 0 : 1)
    }

    /// The market resolved for its token at `winner`: every open order there ends, positions pay
    /// $1 or 0, and the market closes.
    func settleResolution(_ market: SimMarket, winner: Int) {
        for order in engine.orders.values where order.market == market.conditionID && order.isOpen {
            _ = engine.cancel(order.id, owner: order.owner, status: .canceledMarketResolved)
        }
        engine.settle(winner: market.tokens[winner], loser: market.tokens[1 - winner])
        catalog.update(conditionID: market.conditionID) { market in
            market.closed = true
            market.acceptingOrders = false
            market.winner = winner
        }
    }

    /// Places an order that has already passed the request checks (signature, owner) straight
    /// into the engine; tests drive the market machinery with it.
    func placeForTest(_ incoming: MatchingEngine.Incoming) throws(SimError) -> MatchingEngine.Placement {
        let placement = try engine.place(incoming, nowMillis: nowMillis)
        if mirror != nil { refreshMirrorQueue() }
        return placement
    }
}
