import MarketData
import PolypipeCore
import Upstream
import VenueClient

/// Mirror mode: the upstream's records (live or replayed) drive the markets, the books and the
/// reference price; our orders trade locally against them (``Mirror`` states the rules).
extension Venue {
    /// Applies one upstream record; a record of a shape it cannot read changes nothing.
    func applyUpstream(_ record: UpstreamRecord) {
        guard mirror != nil else { return }
        defer { publish() }
        switch record.kind {
        case .window: mirrorWindow(slug: record.key, events: record.data)
        case .resolution: mirrorResolution(record.data)
        case .book:
            guard let summary = try? OrderBookSummary(json: record.data) else { return }
            mirrorReplace(summary.tokenID, bids: summary.bids, asks: summary.asks)
        case .market:
            if case .array(let frames) = record.data { frames.forEach(mirrorFrame) } else { mirrorFrame(record.data) }
        case .price:
            guard let symbol = record.data["payload"]?["symbol"]?.scalarText else { return }
            broadcaster.publishPrice(symbol: symbol, JSONWriter.serialize(record.data))
        case .terms, .clock, .feed: break
        }
    }

    // MARK: Markets

    /// A window the upstream lists: traded here under the upstream's ids and tick; closed here
    /// when it closes there (no new orders), settled by its resolution record.
    private func mirrorWindow(slug: String, events: JSONValue) {
        guard let window = UpDownWindow(slug: slug), let upstream = try? UpDownMarket(gammaEvents: events, window: window) else { return }
        mirror?.events[slug] = events
        if catalog.market(conditionID: upstream.conditionID) == nil {
            catalog.add(SimMarket(conditionID: upstream.conditionID, question: slug, slug: slug, outcomes: ["Up", "Down"],
                                  tokens: [upstream.upToken, upstream.downToken], tick: upstream.tickSize, minimumSize: Shares(micros: 5_000_000),
                                  negRisk: false, exchangeVersion: .v2, window: upstream.start...upstream.end,
                                  fees: configuration.profile.fees ? .cryptoUpDown : .free, takerDelay: configuration.profile.takerDelay))
        }
        if upstream.closed || !upstream.acceptingOrders {
            catalog.update(conditionID: upstream.conditionID) { $0.acceptingOrders = false }
        }
    }

    /// The upstream named the winner: our orders there end, positions pay out.
    private func mirrorResolution(_ json: JSONValue) {
        guard let conditionID = json["condition_id"]?.scalarText, let market = catalog.market(conditionID: conditionID), !market.closed,
              case .array(let tokens)? = json["tokens"],
              let winnerText = tokens.first(where: { $0["winner"] == .bool(true) })?["token_id"]?.scalarText,
              let winner = try? TokenID(decimal: winnerText), let index = market.tokens.firstIndex(of: winner) else { return }
        settleResolution(market, winner: index)
    }

    // MARK: Books

    private func mirrorFrame(_ frame: JSONValue) {
        switch frame["event_type"]?.scalarText {
        case "book":
            guard let token = frame["asset_id"]?.scalarText.flatMap({ try? TokenID(decimal: $0) }) else { return }
            mirrorReplace(token, bids: Self.levels(frame["bids"]), asks: Self.levels(frame["asks"]))
        case "price_change":
            guard case .array(let changes)? = frame["price_changes"] else { return }
            var touched = Set<TokenID>()
            for change in changes {
                guard let token = change["asset_id"]?.scalarText.flatMap({ try? TokenID(decimal: $0) }),
                      let price = change["price"]?.scalarText.flatMap({ try? Price($0) }), let size = change["size"]?.scalarText.flatMap({ try? Shares($0) }),
                      let side = change["side"]?.scalarText.flatMap({ Side(rawValue: $0.uppercased()) }) else { continue }
                mirrorSetLevel(token, side: side, price: price.micros, size: size.micros)
                touched.insert(token)
            }
            // In a fixed order, so that two replays place the same orders with the same ids.
            for token in touched.sorted(by: { $0.description < $1.description }) { syncMirrorBids(token) }
        case "last_trade_price":
            guard let token = frame["asset_id"]?.scalarText.flatMap({ try? TokenID(decimal: $0) }),
                  let price = frame["price"]?.scalarText.flatMap({ try? Price($0) }), let size = frame["size"]?.scalarText.flatMap({ try? Shares($0) }) else { return }
            mirrorPrint(token, price: price.micros, size: size.micros)
        case "tick_size_change":
            guard let token = frame["asset_id"]?.scalarText.flatMap({ try? TokenID(decimal: $0) }), let market = catalog.market(for: token),
                  let tick = frame["new_tick_size"]?.scalarText.flatMap({ TickSize(text: $0) }) else { return }
            catalog.update(conditionID: market.conditionID) { $0.tick = tick }
        default: break
        }
    }

    private static func levels(_ json: JSONValue?) -> [PriceLevel] {
        guard case .array(let items)? = json else { return [] }
        return items.compactMap { item in
            guard let price = item["price"]?.scalarText.flatMap({ try? Price($0) }), let size = item["size"]?.scalarText.flatMap({ try? Shares($0) }) else { return nil }
            return PriceLevel(price: price, size: size)
        }
    }

    /// A full book for `token` (a snapshot or a `book` frame): every level our orders rest at
    /// is a level change for their queues.
    private func mirrorReplace(_ token: TokenID, bids: [PriceLevel], asks: [PriceLevel]) {
        guard catalog.market(for: token) != nil else { return }
        refreshMirrorQueue()  // orders join behind the book as it was
        let before = mirror?.levels[token] ?? MirrorLevels()
        var after = before
        after.replace(bids: Dictionary(bids.map { ($0.price.micros, $0.size.micros) }, uniquingKeysWith: +),
                      asks: Dictionary(asks.map { ($0.price.micros, $0.size.micros) }, uniquingKeysWith: +))
        mirror?.levels[token] = after
        let printed = mirror?.printedSinceChange[token] ?? [:]
        for entry in mirror?.queue.entries ?? [] where entry.token == token {
            let shown = { (book: MirrorLevels) in entry.side == .buy ? book.bids[entry.price] ?? 0 : book.asks[entry.price] ?? 0 }
            mirror?.queue.levelChanged(token: token, side: entry.side, price: entry.price, before: shown(before), after: shown(after),
                                       traded: printed[entry.price] ?? 0)
        }
        mirror?.printedSinceChange[token] = nil
        syncMirrorBids(token)
    }

    private func mirrorSetLevel(_ token: TokenID, side: Side, price: UInt64, size: UInt64) {
        guard catalog.market(for: token) != nil, var levels = mirror?.levels[token] else { return }
        refreshMirrorQueue()  // orders join behind the level as it was
        let before = side == .buy ? levels.bids[price] ?? 0 : levels.asks[price] ?? 0
        levels.set(side: side, price: price, size: size)
        mirror?.levels[token] = levels
        // Read first: an argument may not read `mirror` while the call modifies it.
        let printed = mirror?.printedSinceChange[token]?[price] ?? 0
        mirror?.queue.levelChanged(token: token, side: side, price: price, before: before, after: size, traded: printed)
        mirror?.printedSinceChange[token]?[price] = nil
    }

    /// The upstream traded: our resting orders its volume reaches fill, at their own prices.
    private func mirrorPrint(_ token: TokenID, price: UInt64, size: UInt64) {
        mirror?.printedSinceChange[token, default: [:]][price, default: 0] += size
        refreshMirrorQueue()
        for fill in mirror?.queue.traded(token: token, price: price, size: size) ?? [] {
            guard let order = engine.orders[fill.id], order.isOpen, let market = catalog.market(for: order.token) else { continue }
            // The mirror takes the order's side at its price: a BUY by buying the other outcome
            // (a mint), a SELL by buying it. Against that order only.
            let (target, limit): (TokenID?, UInt64) = order.side == .buy ? (market.sibling(of: order.token), 1_000_000 - order.price) : (order.token, order.price)
            guard let target else { continue }
            placeMirrorOrder(market, token: target, price: limit, size: min(fill.size, order.remaining), type: .fak, against: order.id)
        }
    }

    /// Our orders in mirrored markets, resting, in arrival order: new ones join their queue
    /// behind what the upstream shows at their price now; ended ones leave; partial fills
    /// elsewhere (as a taker on entry, or a mirrored bid moving through) keep their place.
    func refreshMirrorQueue() {
        guard var mirror else { return }
        let queued = Set(mirror.queue.entries.map(\.id))
        for entry in mirror.queue.entries {
            guard let order = engine.orders[entry.id], order.isOpen else { mirror.queue.remove(id: entry.id); continue }
            mirror.queue.setRemaining(id: entry.id, order.remaining)
        }
        let ours = engine.orders.values.filter { $0.owner != MarketMaker.owner && $0.isOpen && !queued.contains($0.id) && mirror.levels[$0.token] != nil }
        for order in ours.sorted(by: { $0.sequence < $1.sequence }) {
            let levels = mirror.levels[order.token] ?? MirrorLevels()
            let shown = order.side == .buy ? levels.bids[order.price] ?? 0 : levels.asks[order.price] ?? 0
            mirror.queue.join(id: order.id, token: order.token, side: order.side, price: order.price, size: order.remaining, displayedAhead: shown)
        }
        self.mirror = mirror
    }

    /// Brings the mirror's resting BUYs on `token` to what it offers: first what our orders took
    /// from each since the last look is consumed, then each level is re-placed where it differs.
    /// A re-placed bid that crosses one of our resting orders fills it (the upstream moved
    /// through our price); what it takes is consumed too.
    func syncMirrorBids(_ token: TokenID) {
        guard var mirror, let market = catalog.market(for: token), !market.closed else { return }
        var levels = mirror.levels[token] ?? MirrorLevels()
        var resting = mirror.restingBids[token] ?? [:]
        for (price, placed) in resting {
            let remaining = engine.orders[placed.id].map { $0.isOpen ? $0.remaining : 0 } ?? 0
            if remaining < placed.size { levels.take(side: .buy, price: price, size: placed.size - remaining) }
            resting[price] = remaining > 0 ? (placed.id, remaining) : nil
        }
        let wanted = Dictionary(levels.offeredLevels(side: .buy).map { ($0.price, $0.size) }, uniquingKeysWith: +)
        for (price, placed) in resting where wanted[price] != placed.size {
            _ = engine.cancel(placed.id, owner: MarketMaker.owner)
            engine.forget(placed.id)
            resting[price] = nil
        }
        mirror.levels[token] = levels
        mirror.restingBids[token] = resting
        self.mirror = mirror
        for (price, size) in wanted.sorted(by: { $0.key > $1.key }) where resting[price] == nil {
            guard let id = placeMirrorOrder(market, token: token, price: price, size: size, type: .gtc, against: nil) else { continue }
            let remaining = engine.orders[id].map { $0.isOpen ? $0.remaining : 0 } ?? 0
            if remaining < size { self.mirror?.levels[token]?.take(side: .buy, price: price, size: size - remaining) }
            if remaining > 0 { self.mirror?.restingBids[token, default: [:]][price] = (id, remaining) }
        }
    }

    /// A BUY of the mirror's account; nil when the engine refused it (a level off the tick grid).
    @discardableResult
    private func placeMirrorOrder(_ market: SimMarket, token: TokenID, price: UInt64, size: UInt64, type: OrderType, against: String?) -> String? {
        guard size > 0, price > 0, price < 1_000_000 else { return nil }
        let id = mirror?.nextOrderID() ?? "mirror-0"
        let collateral = Collateral.cost(of: Shares(micros: size), at: Price(micros: price), rounding: .down).micros
        var incoming = MatchingEngine.Incoming(id: id, owner: MarketMaker.owner, maker: Mirror.account, market: market, token: token, side: .buy,
                                               makerAmount: collateral, takerAmount: size, orderType: type, postOnly: false, expiration: 0)
        incoming.skipsTakerDelay = true
        incoming.skipsOwnOrders = true
        incoming.exemptFromMinimums = true
        incoming.onlyAgainst = against
        guard (try? engine.place(incoming, nowMillis: nowMillis)) != nil else { return nil }
        return id
    }
}

extension Venue {
    /// Turns mirror mode on: the mirror's account is funded without limit; markets, books and
    /// the reference price come from ``applyUpstream(_:)`` from now on.
    func startMirroring() {
        guard mirror == nil else { return }
        mirror = Mirror()
        engine.fund(Mirror.account, collateral: 1_000_000_000_000_000)
    }
}
