import PolypipeCore

/// Turning engine events and book changes into the venue's WebSocket messages (spec §5.1, §5.2).
extension Venue {
    /// Publishes everything that changed since the last call: user `order`/`trade` events to
    /// their owners, `last_trade_price` and `price_change` to market subscribers.
    func publish() {
        let events = engine.drainEvents()
        var touched = Set<TokenID>()
        for event in events {
            switch event {
            case .order(let order, let change):
                touched.insert(order.token)
                guard order.owner != MarketMaker.owner else { continue }
                broadcaster.publishUser(apiKey: order.owner, market: order.market, JSONWriter.serialize(orderEvent(order, change)))
            case .trade(let trade):
                touched.insert(trade.token)
                var owners = Set([trade.takerOwner])
                for leg in trade.makerLegs { owners.insert(leg.owner) }
                for owner in owners where owner != MarketMaker.owner {
                    var message = tradeJSON(trade, viewer: owner)
                    if case .object(var members) = message {
                        members.insert(("event_type", .string("trade")), at: 0)
                        members.insert(("type", .string("TRADE")), at: 1)
                        if let index = members.firstIndex(where: { $0.key == "status" }), let text = members[index].value.scalarText {
                            members[index].value = .string(text.replacingOccurrences(of: "TRADE_STATUS_", with: ""))
                        }
                        members.append(("trade_owner", .string(owner)))
                        members.append(("timestamp", .string(String(trade.lastUpdate))))
                        message = .object(members)
                    }
                    broadcaster.publishUser(apiKey: owner, market: trade.market, JSONWriter.serialize(message))
                }
                if trade.status == .matched {
                    broadcaster.publishMarket(asset: trade.token.description, JSONWriter.serialize(.object([
                        ("event_type", .string("last_trade_price")), ("asset_id", .string(trade.token.description)),
                        ("market", .string(trade.market)), ("price", .string(MicroUnits.format(trade.price))),
                        ("side", .string(trade.side.rawValue)), ("size", .string(MicroUnits.format(trade.size))),
                        ("fee_rate_bps", .string(trade.feeRateBps)), ("timestamp", .string(String(trade.matchedAt))),
                    ])))
                }
            }
        }
        // A change on one token moves the mirrored book of its sibling too.
        for token in touched {
            guard let market = catalog.market(for: token) else { continue }
            publishPriceChanges(market)
        }
    }

    /// Diffs the unified books of `market`'s tokens against what subscribers last saw and sends
    /// one `price_change` with every changed level (`size` is the new total; 0 removes it).
    func publishPriceChanges(_ market: SimMarket) {
        var changes: [JSONValue] = []
        for token in market.tokens {
            let book = unifiedBook(market: market, token: token)
            var now: [String: UInt64] = [:]
            for level in book.bids { now["BUY:\(level.price)"] = level.size }
            for level in book.asks { now["SELL:\(level.price)"] = level.size }
            let before = publishedLevels[token] ?? [:]
            guard now != before else { continue }
            let bestBid = book.bids.last.map { MicroUnits.format($0.price) } ?? "0"
            let bestAsk = book.asks.last.map { MicroUnits.format($0.price) } ?? "1"
            for key in Set(now.keys).union(before.keys).sorted() where now[key] != before[key] {
                let parts = key.split(separator: ":")
                changes.append(.object([
                    ("asset_id", .string(token.description)), ("price", .string(MicroUnits.format(UInt64(parts[1]) ?? 0))),
                    ("size", .string(MicroUnits.format(now[key] ?? 0))), ("side", .string(String(parts[0]))),
                    ("hash", .string(Hex.encode(Keccak256.hash(utf8: "\(token):\(nowMillis):\(key)").prefix(20), prefix: false))),
                    ("best_bid", .string(bestBid)), ("best_ask", .string(bestAsk)),
                ]))
            }
            publishedLevels[token] = now
        }
        guard !changes.isEmpty else { return }
        let message = JSONWriter.serialize(.object([("event_type", .string("price_change")), ("market", .string(market.conditionID)),
                                                    ("timestamp", .string(String(nowMillis))), ("price_changes", .array(changes))]))
        for token in market.tokens { broadcaster.publishMarket(asset: token.description, message) }
    }

    func orderEvent(_ order: SimOrder, _ change: EngineEvent.OrderChange) -> JSONValue {
        let market = catalog.market(for: order.token)
        return .object([
            ("event_type", .string("order")), ("type", .string(change.rawValue)), ("id", .string(order.id)),
            ("owner", .string(order.owner)), ("order_owner", .string(order.owner)), ("market", .string(order.market)),
            ("asset_id", .string(order.token.description)), ("side", .string(order.side.rawValue)),
            ("price", .string(MicroUnits.format(order.price))), ("original_size", .string(MicroUnits.format(order.size))),
            ("size_matched", .string(MicroUnits.format(order.matched))), ("outcome", .string(market?.outcome(of: order.token) ?? "")),
            ("order_type", .string(order.orderType.rawValue)),
            ("status", .string(order.status == .live ? "LIVE" : order.status.rawValue)),
            ("maker_address", .string(order.maker.checksummed)), ("associate_trades", .array(order.tradeIDs.map { .string($0) })),
            ("created_at", .string(String(order.createdAt))), ("expiration", .string(String(order.expiration))),
            ("timestamp", .string(String(nowMillis))),
        ])
    }

    /// A market subscription: the book snapshot of each asset, as one JSON array frame.
    func subscribeMarket(connection: Int, assets: [String]) {
        var snapshots: [JSONValue] = []
        for asset in assets {
            guard let token = try? TokenID(decimal: asset), let market = catalog.market(for: token) else { continue }
            if case .object(var members) = bookJSON(market: market, token: token) {
                members.insert(("event_type", .string("book")), at: 0)
                snapshots.append(.object(members))
            }
        }
        broadcaster.send(JSONWriter.serialize(.array(snapshots)), to: connection)
    }

    /// Checks a user-channel auth frame; returns the API key when it is valid.
    /// The trading keys whose events a user-channel subscriber authenticated as `apiKey` may
    /// receive (itself, or its account's for a read-only key); nil when the credential is wrong.
    func authenticateStream(apiKey: String, secret: String, passphrase: String) -> Set<String>? {
        guard let key = keys.keys[apiKey], key.credentials.secret == secret, key.credentials.passphrase == passphrase else { return nil }
        return keys.ownerKeys(of: key)
    }
}
