import Foundation
import PolypipeCore
import VenueClient

/// Orders, cancels, account reads and the heartbeat (spec §4.1–§4.6), all L2-authenticated.
extension Venue {
    /// Refusals the venue reports inside a 200 answer (`success: false`) rather than as a 400.
    static let soft: Set<String> = [SimError.fokNotFilled.message, SimError.fakNoMatch.message,
                                    SimError.postOnlyCrosses.message, SimError.marketNotReady.message]

    func postOrder(_ request: SimRequest, key: ApiKeyStore.Key) throws(SimError) -> SimResponse {
        guard let json = try? JSONParser.parse(request.body) else { throw .badRequest("Invalid order payload") }
        do {
            return .json(try place(json, key: key))
        } catch let error where Self.soft.contains(error.message) {
            return .json(Self.failedResult(error.message))
        }
    }

    func postOrders(_ request: SimRequest, key: ApiKeyStore.Key) throws(SimError) -> SimResponse {
        guard case .array(let legs)? = try? JSONParser.parse(request.body) else { throw .badRequest("Invalid order payload") }
        guard legs.count <= 15 else { throw .badRequest("Too many orders in payload: \(legs.count), max allowed: 15") }
        var results: [JSONValue] = []
        for leg in legs {
            do { results.append(try place(leg, key: key)) } catch { results.append(Self.failedResult(error.message)) }
        }
        return .json(.array(results))
    }

    static func failedResult(_ message: String) -> JSONValue {
        .object([("success", .bool(false)), ("errorMsg", .string(message)), ("orderID", .string("")), ("status", .string("")),
                 ("makingAmount", .string("")), ("takingAmount", .string(""))])
    }

    /// Checks one order object as the venue does, then matches it.
    private func place(_ json: JSONValue, key: ApiKeyStore.Key) throws(SimError) -> JSONValue {
        let decoded: OrderPayload.Decoded
        do { decoded = try OrderPayload.decode(json) } catch { throw .badRequest("Invalid order payload: \(error)") }
        if let refusal = modeRefusal(postOnly: decoded.postOnly) { throw refusal }
        guard decoded.owner == key.credentials.apiKey else { throw .badRequest("the order owner has to be the owner of the API KEY") }
        let order = decoded.order
        guard let market = catalog.market(for: order.tokenID) else { throw .badRequest("Invalid token id") }
        let verified: OrderVerifier.Verified
        do {
            verified = try OrderVerifier.verify(order, signature: decoded.signature, exchange: market.exchange, chain: configuration.chain)
        } catch {
            throw .badRequest("invalid signature")
        }
        // An account from after the deposit-wallet rollout trades through its deposit wallet
        // only (spec §1.9, §9; the venue's own message).
        if order.signatureType != .poly1271, depositWalletOnly.contains(key.address) {
            throw .badRequest("maker address not allowed, please use the deposit wallet flow")
        }
        // Types 0–2: the signer is the API key's address. Type 3: the deposit wallet, owned by it.
        switch order.signatureType {
        case .eoa:
            guard order.signer == key.address, order.maker == key.address else {
                throw .badRequest("the order signer address has to be the address of the API KEY")
            }
        case .polyProxy, .polyGnosisSafe:
            guard order.signer == key.address else { throw .badRequest("the order signer address has to be the address of the API KEY") }
        case .poly1271:
            guard verified.signingKey == key.address, order.maker == order.signer else {
                throw .badRequest("the order signer address has to be the address of the API KEY")
            }
        }
        if let wallet = configuredFunders[key.address]?[order.signatureType], order.maker != wallet {
            throw .badRequest("maker address not allowed: \(order.maker) is not the configured signature type \(order.signatureType.rawValue) wallet of the API KEY's address")
        }
        fundOnce(order.maker)
        guard let makerAmount = order.makerAmount.uint64Value, let takerAmount = order.takerAmount.uint64Value else {
            throw .badRequest("invalid amounts")
        }
        let id = Hex.encode(verified.orderHash)
        let placement = try engine.place(MatchingEngine.Incoming(id: id, owner: decoded.owner, maker: order.maker, market: market,
                                                                 token: order.tokenID, side: order.side, makerAmount: makerAmount,
                                                                 takerAmount: takerAmount, orderType: decoded.orderType,
                                                                 postOnly: decoded.postOnly, expiration: decoded.expiration),
                                         nowMillis: nowMillis)
        recordFunder(order.maker, signatureType: order.signatureType, apiKey: key.credentials.apiKey)
        if mirror != nil { refreshMirrorQueue() }  // a resting order joins its queue on arrival
        return .object([
            ("success", .bool(true)), ("errorMsg", .string("")), ("orderID", .string(id)), ("status", .string(placement.status)),
            ("makingAmount", .string(placement.making == 0 ? "" : MicroUnits.format(placement.making))),
            ("takingAmount", .string(placement.taking == 0 ? "" : MicroUnits.format(placement.taking))),
            ("transactionsHashes", .array([])), ("tradeIDs", .array(placement.tradeIDs.map { .string($0) })),
        ])
    }

    // MARK: Cancels

    func cancelOrder(_ request: SimRequest, key: ApiKeyStore.Key) throws(SimError) -> SimResponse {
        guard let json = try? JSONParser.parse(request.body), let id = json["orderID"]?.scalarText, !id.isEmpty else {
            throw .badRequest("Invalid orderID")
        }
        fillBeforeCancelIfAsked([id])
        return cancelResult([id], key: key)
    }

    func cancelOrders(_ request: SimRequest, key: ApiKeyStore.Key) throws(SimError) -> SimResponse {
        guard case .array(let ids)? = try? JSONParser.parse(request.body) else { throw .badRequest("Invalid orderID") }
        guard ids.count <= 1000 else { throw .badRequest("Too many orders in payload, max allowed: 1000") }
        fillBeforeCancelIfAsked(ids.compactMap(\.scalarText))
        return cancelResult(ids.compactMap(\.scalarText), key: key)
    }

    /// The `fill_before_cancel` fault: the agents fill each named open order before the cancel
    /// is processed, as a taker whose order reached the venue first would.
    private func fillBeforeCancelIfAsked(_ ids: [String]) {
        guard faults.fillBeforeCancel > 0 else { return }
        faults.fillBeforeCancel -= 1
        for id in ids {
            guard let order = engine.orders[id.lowercased()], order.isOpen, let market = catalog.market(conditionID: order.market) else { continue }
            agents.take(order, in: market, only: true, engine: &engine, nowMillis: nowMillis)
        }
    }

    func cancelAll(key: ApiKeyStore.Key) -> SimResponse {
        cancelResult(engine.openOrderIDs(owner: key.credentials.apiKey), key: key)
    }

    func cancelMarket(_ request: SimRequest, key: ApiKeyStore.Key) throws(SimError) -> SimResponse {
        let json = (try? JSONParser.parse(request.body)) ?? .object([])
        let token = json["asset_id"]?.scalarText.flatMap { try? TokenID(decimal: $0) }
        return cancelResult(engine.openOrderIDs(owner: key.credentials.apiKey, market: json["market"]?.scalarText, token: token), key: key)
    }

    private func cancelResult(_ ids: [String], key: ApiKeyStore.Key) -> SimResponse {
        var canceled: [JSONValue] = []
        var notCanceled: [(key: String, value: JSONValue)] = []
        var seen = Set<String>()
        for id in ids where seen.insert(id.lowercased()).inserted {
            if let reason = engine.cancel(id.lowercased(), owner: key.credentials.apiKey) {
                notCanceled.append((id, .string(reason)))
            } else {
                canceled.append(.string(id))
            }
        }
        return .json(.object([("canceled", .array(canceled)), ("not_canceled", .object(notCanceled))]))
    }

    // MARK: Reads

    func order(_ id: String, key: ApiKeyStore.Key) throws(SimError) -> SimResponse {
        guard let order = engine.orders[id.lowercased()], keys.ownerKeys(of: key).contains(order.owner) else { throw .notFound("Order not found") }
        return .json(orderJSON(order))
    }

    func openOrders(_ request: SimRequest, key: ApiKeyStore.Key) -> SimResponse {
        let token = request.query["asset_id"].flatMap { try? TokenID(decimal: $0) }
        var ids = keys.ownerKeys(of: key).sorted().flatMap { engine.openOrderIDs(owner: $0, market: request.query["market"], token: token) }
        if let only = request.query["id"] { ids = ids.filter { $0 == only.lowercased() } }
        return page(ids.compactMap { engine.orders[$0] }.map(orderJSON), request: request)
    }

    func tradesPage(_ request: SimRequest, key: ApiKeyStore.Key) -> SimResponse {
        let owners = keys.ownerKeys(of: key)
        let after = request.query["after"].flatMap { Int64($0) }
        let before = request.query["before"].flatMap { Int64($0) }
        let token = request.query["asset_id"].flatMap { try? TokenID(decimal: $0) }
        let visible = engine.trades.filter { trade in
            (owners.contains(trade.takerOwner) || trade.makerLegs.contains { owners.contains($0.owner) })
                && (request.query["market"] == nil || trade.market == request.query["market"])
                && (token == nil || trade.token == token || trade.makerLegs.contains { $0.token == token })
                && (request.query["id"] == nil || trade.id == request.query["id"])
                && (after == nil || trade.matchedAt / 1000 >= after!) && (before == nil || trade.matchedAt / 1000 <= before!)
        }
        // Seen as the owner whose leg it is (taker first), as that owner's own key would see it.
        return page(visible.map { trade in
            let viewer = owners.contains(trade.takerOwner) ? trade.takerOwner : trade.makerLegs.first { owners.contains($0.owner) }?.owner ?? ""
            return tradeJSON(trade, viewer: viewer)
        }, request: request)
    }

    /// Cursor pagination: the cursor is base64 of the offset; "LTE=" (-1) ends.
    private func page(_ items: [JSONValue], request: SimRequest, limit: Int = 100) -> SimResponse {
        let cursor = request.query["next_cursor"] ?? "MA=="
        let offset = Base64Cursor.decode(cursor) ?? 0
        let slice = Array(items.dropFirst(max(0, offset)).prefix(limit))
        let next = offset + slice.count < items.count ? Base64Cursor.encode(offset + slice.count) : "LTE="
        return .json(.object([("limit", .number(String(limit))), ("count", .number(String(slice.count))),
                              ("next_cursor", .string(next)), ("data", .array(slice))]))
    }

    func orderJSON(_ order: SimOrder) -> JSONValue {
        let market = catalog.market(for: order.token)
        return .object([
            ("id", .string(order.id)), ("status", .string("ORDER_STATUS_" + order.status.rawValue)), ("owner", .string(order.owner)),
            ("maker_address", .string(order.maker.checksummed)), ("market", .string(order.market)),
            ("asset_id", .string(order.token.description)), ("side", .string(order.side.rawValue)),
            ("original_size", .string(MicroUnits.format(order.size))), ("size_matched", .string(MicroUnits.format(order.matched))),
            ("price", .string(MicroUnits.format(order.price))), ("outcome", .string(market?.outcome(of: order.token) ?? "")),
            ("expiration", .string(String(order.expiration))), ("order_type", .string(order.orderType.rawValue)),
            ("associate_trades", .array(order.tradeIDs.map { .string($0) })), ("created_at", .number(String(order.createdAt))),
        ])
    }

    func tradeJSON(_ trade: SimTrade, viewer: String) -> JSONValue {
        let market = catalog.market(for: trade.token)
        let status: String
        switch trade.status {
        case .matched: status = "MATCHED"
        case .mined: status = "MINED"
        case .confirmed: status = "CONFIRMED"
        case .retrying: status = "RETRYING"
        case .failed: status = "FAILED"
        case .matchedNotBroadcasted: status = "MATCHED_NOT_BROADCASTED"
        case .other(let text): status = text
        }
        // `fee_rate_bps` is the taker's rate (the market's `r` in basis points); makers of a
        // takers-only curve pay none (spec §2.5). The fee itself is not a trade field on the
        // venue: it shows in the balances (`/balance-allowance`).
        let makerRateBps = (market?.fees.schedule.takerOnly ?? true) ? "0" : trade.feeRateBps
        let legs: [JSONValue] = trade.makerLegs.map { leg in
            .object([("order_id", .string(leg.orderID)), ("owner", .string(leg.owner)), ("maker_address", .string(leg.maker.checksummed)),
                     ("matched_amount", .string(MicroUnits.format(leg.amount))), ("price", .string(MicroUnits.format(leg.price))),
                     ("fee_rate_bps", .string(makerRateBps)), ("asset_id", .string(leg.token.description)),
                     ("outcome", .string(market?.outcome(of: leg.token) ?? "")), ("side", .string(leg.side.rawValue))])
        }
        return .object([
            ("id", .string(trade.id)), ("taker_order_id", .string(trade.takerOrderID)), ("market", .string(trade.market)),
            ("asset_id", .string(trade.token.description)), ("side", .string(trade.side.rawValue)),
            ("size", .string(MicroUnits.format(trade.size))), ("fee_rate_bps", .string(trade.feeRateBps)),
            ("price", .string(MicroUnits.format(trade.price))), ("status", .string("TRADE_STATUS_" + status)),
            ("match_time", .string(String(trade.matchedAt / 1000))), ("last_update", .string(String(trade.lastUpdate / 1000))),
            ("outcome", .string(market?.outcome(of: trade.token) ?? "")), ("bucket_index", .number("0")),
            ("owner", .string(trade.takerOwner)), ("maker_address", .string(trade.taker.checksummed)),
            ("transaction_hash", .string(trade.transactionHash)), ("err_msg", .null),
            ("trader_side", .string(trade.takerOwner == viewer ? "TAKER" : "MAKER")), ("maker_orders", .array(legs)),
        ])
    }

    // MARK: Account

    func balanceAllowance(_ request: SimRequest, key: ApiKeyStore.Key) throws(SimError) -> SimResponse {
        let signatureType = request.query["signature_type"].flatMap { UInt8($0) }.flatMap { SignatureType(rawValue: $0) } ?? .eoa
        let wallet = funder(for: key.credentials.apiKey, signatureType: signatureType) ?? key.address
        let balance: Int64
        let assetType = request.query["asset_type"]?.uppercased() ?? "COLLATERAL"
        switch assetType {
        case "COLLATERAL": balance = engine.ledger.balance(wallet)
        case let assetType where assetType == "CONDITIONAL" || assetType == "CONDITIONAL-V2":
            guard let token = request.query["token_id"].flatMap({ try? TokenID(decimal: $0) }) else { throw .badRequest("Invalid token id") }
            // CONDITIONAL reads CTF positions, CONDITIONAL-V2 the PositionManager's Protocol-V2
            // positions (spec §4.5, §9): each reports 0 for a token held in the other.
            let wanted: ExchangeVersion = assetType == "CONDITIONAL" ? .v2 : .v3
            let held = catalog.market(for: token)?.exchangeVersion ?? (token.isProtocolV2Position ? .v3 : .v2)
            balance = held == wanted ? engine.ledger.balance(wallet, token) : 0
        default: throw .badRequest("Invalid asset type")
        }
        let unlimited = "115792089237316195423570985008687907853269984665640564039457584007913129639935"
        // Every exchange, and for Protocol-V2 positions also the contracts RequiredSpender names
        // for them (the PositionManager), all approved without limit: what polypipe doctor checks.
        var spenders = Exchange.allCases.map { $0.contract(on: configuration.chain).checksummed }
        if assetType == "CONDITIONAL-V2" {
            spenders += RequiredSpender.all(on: configuration.chain).filter { $0.asset == .conditionalV2 }.map(\.address.checksummed)
        }
        return .json(.object([("balance", .string(String(max(0, balance)))),
                              ("allowances", .object(spenders.map { ($0, JSONValue.string(unlimited)) }))]))
    }

    // MARK: Heartbeat

    /// `POST /v1/heartbeats`: `""` first, then the id returned last; arms the dead-man switch.
    func heartbeat(_ request: SimRequest, key: ApiKeyStore.Key) throws(SimError) -> SimResponse {
        let sent = (try? JSONParser.parse(request.body))?["heartbeat_id"]?.scalarText ?? ""
        let apiKey = key.credentials.apiKey
        if let current = heartbeats[apiKey], !sent.isEmpty, sent != current.id {
            return .json(.object([("error", .string("Invalid Heartbeat ID")), ("heartbeat_id", .string(current.id))]), status: 400)
        }
        if !sent.isEmpty, heartbeats[apiKey] == nil {
            return .json(.object([("error", .string("Invalid Heartbeat ID")), ("heartbeat_id", .string(""))]), status: 400)
        }
        let next = nextHeartbeatID()
        heartbeats[apiKey] = (next, nowMillis)
        return .json(.object([("heartbeat_id", .string(next))]))
    }
}

/// Cursor text as the venue writes it: base64 of a decimal offset ("MA==" = 0).
enum Base64Cursor {
    static func encode(_ offset: Int) -> String {
        Data(String(offset).utf8).base64EncodedString()
    }

    static func decode(_ cursor: String) -> Int? {
        guard let data = Data(base64Encoded: cursor) else { return nil }
        return Int(String(decoding: data, as: UTF8.self))
    }
}
