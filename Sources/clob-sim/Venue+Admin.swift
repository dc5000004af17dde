import PolypipeCore
import VenueClient

/// The loopback-only admin API (the server binds 127.0.0.1 only): fund accounts, inspect
/// state, inject faults. Not part of the venue's protocol; paths start with `/admin/`.
extension Venue {
    func admin(_ request: SimRequest) throws(SimError) -> SimResponse {
        let body = request.body.isEmpty ? JSONValue.object([]) : ((try? JSONParser.parse(request.body)) ?? .null)
        guard case .object = body else { throw .badRequest("admin: the body must be a JSON object") }
        switch (request.method, request.path) {
        case ("POST", "/admin/fund"):
            guard let text = body["address"]?.scalarText, let address = try? EthereumAddress(text) else {
                throw .badRequest("admin/fund: address is missing or not an address")
            }
            if let amount = body["collateral"]?.scalarText {
                guard let collateral = try? Collateral(amount) else { throw .badRequest("admin/fund: collateral \(amount) is not a pUSD amount") }
                fund(address, collateral: Int64(collateral.micros))
            }
            if let shares = body["shares"]?.scalarText {
                guard let amount = try? Shares(shares), let token = body["token_id"]?.scalarText.flatMap({ try? TokenID(decimal: $0) }),
                      catalog.market(for: token) != nil else { throw .badRequest("admin/fund: shares need a known token_id and a share amount") }
                fund(address, token: token, shares: Int64(amount.micros))
            }
            return .json(.object([("address", .string(address.checksummed)), ("collateral", .string(String(engine.ledger.balance(address))))]))
        case ("GET", "/admin/state"):
            let open = engine.orders.values.filter(\.isOpen).count
            let clientOrders = engine.orders.values.filter { $0.owner != MarketMaker.owner }
            return .json(.object([
                ("now_ms", .number(String(nowMillis))), ("markets", .number(String(catalog.markets.count))),
                ("orders", .number(String(engine.orders.count))), ("open_orders", .number(String(open))),
                ("client_orders", .number(String(clientOrders.count))),
                ("client_open_orders", .number(String(clientOrders.filter(\.isOpen).count))),
                ("trades", .number(String(engine.trades.count))), ("mode", .string(faults.mode.rawValue)),
                ("post_order_requests", .number(String(placementRequests["/order", default: 0]))),
                ("post_orders_requests", .number(String(placementRequests["/orders", default: 0]))),
                ("replay", replay?.json ?? .null),
            ]))
        case ("POST", "/admin/replay/start"):
            guard let replay else { throw .badRequest("admin/replay/start: this clob-sim serves no --replay") }
            return .json(.object([("started", .bool(replay.start()))]))
        case ("POST", "/admin/faults"):
            var plan = faults
            func int(_ key: String) throws(SimError) -> Int? {
                guard let text = body[key]?.scalarText else { return nil }
                guard let value = Int(text), value >= 0 else { throw .badRequest("admin/faults: \(key) must be a non-negative integer") }
                return value
            }
            if let value = try int("latency_ms") { plan.latencyMillis = value }
            if let value = try int("server_error_ppm") { plan.serverErrorPartsPerMillion = UInt64(value) }
            if let value = try int("rate_limit_burst") { plan.rateLimitBurst = value }
            if let value = try int("retry_after_seconds") { plan.retryAfterSeconds = value }
            if let value = try int("timeout_but_placed") { plan.timeoutButPlaced = value }
            if let value = try int("withheld_ms") { plan.withheldMillis = value }
            if let value = try int("fill_before_cancel") { plan.fillBeforeCancel = value }
            if let value = try int("ghost_fill_ppm") { plan.ghostFillPartsPerMillion = UInt64(min(value, 1_000_000)) }
            if let text = body["mode"]?.scalarText {
                guard let mode = FaultPlan.TradingMode(rawValue: text) else { throw .badRequest("admin/faults: mode must be normal, cancel-only, post-only, disabled or restarting") }
                plan.mode = mode
            }
            faults = plan
            return .json(.object([("ok", .bool(true))]))
        case ("POST", "/admin/drop-websockets"):
            let dropped = broadcaster.count
            broadcaster.dropAll()
            return .json(.object([("dropped", .number(String(dropped)))]))
        case ("POST", "/admin/reset-faults"):
            faults = FaultPlan()
            return .json(.object([("ok", .bool(true))]))
        default:
            throw .notFound("Not Found")
        }
    }

    /// Decides, before routing, what the injected faults do to this request.
    func decideFaults(for request: SimRequest) -> FaultDecision {
        var decision = FaultDecision(delayBeforeMillis: faults.latencyMillis)
        // Faults model the venue; the admin API and the simulator's identity proof are not the venue.
        guard !request.path.hasPrefix("/admin/"), request.path != SimulatorIdentity.path else { return FaultDecision() }
        // Counted here, before any fault answers it: every placement request that arrived.
        if request.method == "POST", request.path == "/order" || request.path == "/orders" { placementRequests[request.path, default: 0] += 1 }
        if faults.rateLimitBurst > 0 {
            faults.rateLimitBurst -= 1
            var response = SimResponse.error(SimError(status: 429, message: "Too Many Requests"))
            response.headers["retry-after"] = String(faults.retryAfterSeconds)
            decision.shortCircuit = response
            return decision
        }
        if faults.serverErrorPartsPerMillion > 0 {
            faultDraws += 1
            let draw = Keccak256.hash(utf8: "5xx:\(configuration.seed):\(faultDraws)").prefix(4).reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
            if draw % 1_000_000 < faults.serverErrorPartsPerMillion {
                decision.shortCircuit = .error(SimError(status: 500, message: "could not run the execution"))
                return decision
            }
        }
        if request.method == "POST", request.path == "/order" || request.path == "/orders", faults.timeoutButPlaced > 0 {
            faults.timeoutButPlaced -= 1
            decision.delayAfterMillis = faults.withheldMillis
        }
        return decision
    }

    /// The trading mode's refusal for an order, if any (spec §4.7).
    func modeRefusal(postOnly: Bool) -> SimError? {
        switch faults.mode {
        case .normal, .restarting: return nil
        case .disabled: return SimError(status: 503, message: "Trading is currently disabled. Check polymarket.com for updates")
        case .cancelOnly: return SimError(status: 503, message: "Trading is currently cancel-only. New orders are not accepted, but cancels are allowed.")
        case .postOnly: return postOnly ? nil : SimError(status: 503, message: "post-only mode: only post-only orders and cancels are allowed")
        }
    }
}
