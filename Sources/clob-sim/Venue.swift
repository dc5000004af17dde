import MarketData
import PolypipeCore
import VenueClient

/// The simulated venue: markets, keys, books and balances behind one actor, answering requests
/// in the real CLOB's shapes (spec §4). The HTTP layer (``SimResponder``) only converts
/// requests; tests call ``handle(_:)`` directly.
actor Venue {
    struct Configuration: Sendable {
        var seed: UInt64 = 1
        var chain: Chain = .polygon
        /// pUSD credited (once) to every address that creates or derives an API key, and to a
        /// funder wallet the first time it trades.
        var startingBalance: Int64 = 10_000_000_000
        /// Trade settlement: MATCHED → MINED after this, → CONFIRMED after that (milliseconds).
        var minedAfterMillis: Int64 = 2_000
        var confirmedAfterMillis: Int64 = 5_000
        /// Share of trades that end FAILED (0…1 in parts per million).
        var failurePartsPerMillion: UInt64 = 0
        /// Heartbeat silence after which a key's orders are cancelled.
        var heartbeatTimeoutMillis: Int64 = 10_000
        /// One-second volatility of the reference-price walk, as a fraction of the price.
        var walkVolatilityPerSecond: Double = 0.0001
        /// Accounts funded at start (from `--accounts`), instead of the starting balance.
        var fundedAccounts: [FundedAccount] = []
        /// How close to the real venue the markets behave: ladders, takers, fees, taker delay
        /// (``SimProfile``; `--profile`).
        var profile: SimProfile = .realistic
        /// The Up/Down window lengths listed when windows are live (`--windows`).
        var windowLengths: [UpDownWindow.Length] = [.fiveMinutes, .fifteenMinutes]
        /// The per-signer rate-limit tier of every signer the accounts file does not override
        /// (spec §6.1); `.unlimited` switches the limits off for benchmarks.
        var rateLimitTier: RateLimitTier = .standard
        /// How long before a GTD order's signed expiration the venue cancels it (seconds; the
        /// venue acts about a minute early, spec §2.2; `--gtd-lead-seconds`).
        var gtdLeadSeconds: Int64 = 60
    }

    let configuration: Configuration
    var engine: MatchingEngine
    var catalog: MarketCatalog
    private(set) var keys: ApiKeyStore
    private var funded: Set<EthereumAddress> = []
    var heartbeats: [String: (id: String, lastMillis: Int64)] = [:]
    private var heartbeatCounter: UInt64 = 0
    /// The reference-price walk and rolling windows (nil for a static market set), and the agents.
    var reference: ReferencePrice?
    var windows: UpDownWindows?
    var agents: MarketMaker
    /// The upstream's copy in mirror mode (``applyUpstream(_:)``); nil otherwise.
    var mirror: Mirror?
    var lastQuoteSecond: Int64 = 0
    /// WebSocket subscribers, and the book levels they last saw (per token, "SIDE:price" → size).
    let broadcaster = Broadcaster()
    var publishedLevels: [TokenID: [String: UInt64]] = [:]
    /// Injected faults (admin API) and the draw counter that makes them reproducible.
    var faults = FaultPlan()
    var faultDraws: UInt64 = 0
    /// Order placements received, by path (`/order`, `/orders`), whatever their answer — what
    /// `/admin/state` reports so tests can tell whether a request was sent again.
    var placementRequests: [String: Int] = [:]
    /// EOA → the wallets it may trade through (from `--accounts`); unconfigured EOAs may use any.
    var configuredFunders: [EthereumAddress: [SignatureType: EthereumAddress]] = [:]
    /// API key → the funder wallet it trades through, per signature type.
    private var funders: [String: [SignatureType: EthereumAddress]] = [:]
    /// Per-signer order and cancel buckets (``trading(_:_:key:)``).
    var rateLimits: SignerRateLimits
    /// Signers that may only trade through a deposit wallet (signature type 3).
    let depositWalletOnly: Set<EthereumAddress>
    /// Per-minute mids for `GET /prices-history` (trades come from the engine).
    var priceHistory = PriceHistory()
    private let clock: @Sendable () -> Int64
    /// What request signatures' timestamps are judged against (unix ms): clients sign with
    /// their own wall clock, so a sped-up or replayed sim clock must not make them "stale".
    private let authClock: @Sendable () -> Int64
    /// A replay's progress and hold (`--replay`), for the admin API; nil otherwise.
    let replay: ReplayControl?

    /// - Parameter clock: unix milliseconds (scaled or manual in tests).
    /// - Parameter liveWindows: list rolling BTC Up/Down windows on a reference-price walk, with
    ///   market-making agents (the served sim); off for unit tests' static markets.
    /// - Parameter authClock: the clock request timestamps are checked against; the sim's own
    ///   clock when nil (tests on a manual clock sign with it).
    init(configuration: Configuration, catalog: MarketCatalog, liveWindows: Bool = false, clock: @escaping @Sendable () -> Int64,
         authClock: (@Sendable () -> Int64)? = nil, replay: ReplayControl? = nil) {
        self.replay = replay
        self.configuration = configuration
        self.engine = MatchingEngine(seed: configuration.seed)
        self.catalog = catalog
        self.keys = ApiKeyStore(seed: configuration.seed, chain: configuration.chain)
        self.clock = clock
        self.authClock = authClock ?? clock
        self.agents = MarketMaker(seed: configuration.seed, profile: configuration.profile)
        if !configuration.profile.fees {
            for market in catalog.markets { self.catalog.update(conditionID: market.conditionID) { $0.fees = .free } }
        }
        self.rateLimits = SignerRateLimits(defaultTier: configuration.rateLimitTier, overrides: Dictionary(
            configuration.fundedAccounts.compactMap { account in account.rateLimitTier.map { (account.address, $0) } },
            uniquingKeysWith: { _, last in last }))
        self.depositWalletOnly = Set(configuration.fundedAccounts.filter(\.depositWalletOnly).map(\.address))
        for account in configuration.fundedAccounts {
            funded.insert(account.address)
            engine.fund(account.address, collateral: account.collateral)
            for (type, wallet) in account.funders {
                configuredFunders[account.address, default: [:]][type] = wallet
                funded.insert(wallet)
                engine.fund(wallet, collateral: account.collateral)
            }
        }
        if liveWindows {
            let now = clock() / 1000
            // Start the walk a window back, so the running windows have a start price.
            let origin = now / 900 * 900 - 900
            var walk = ReferencePrice(seed: configuration.seed, startSecond: origin, volatilityPerSecond: configuration.walkVolatilityPerSecond)
            walk.advance(to: now)
            reference = walk
            windows = UpDownWindows(lengths: configuration.windowLengths, profile: configuration.profile)
            for account in agents.accounts { engine.fund(account, collateral: 1_000_000_000_000_000) }
        }
    }

    var nowMillis: Int64 { clock() }
    var nowSeconds: Int64 { clock() / 1000 }

    /// Answers one request; never throws: every failure is an error response.
    func handle(_ request: SimRequest) -> SimResponse {
        defer { publish() }
        do {
            return try route(request)
        } catch {
            return .error(error)
        }
    }

    private func route(_ request: SimRequest) throws(SimError) -> SimResponse {
        let parts = request.path.split(separator: "/").map(String.init)
        switch (request.method, parts.first ?? "", parts.count) {
        case ("GET", "ok", 1): return SimResponse(status: 200, body: "\"OK\"")
        case ("GET", "time", 1): return SimResponse(status: 200, body: String(nowSeconds))
        case ("GET", "version", 1): return .json(.object([("version", .number("2"))]))
        case ("GET", "sim", 2) where parts[1] == "identity": return try simulatorIdentity(request)
        case ("GET", "book", 1): return try book(request)
        case ("GET", "tick-size", _): return try tickSize(request, parts)
        case ("GET", "neg-risk", _):
            let market = try market(tokenText: request.query["token_id"] ?? parts.dropFirst().first)
            return .json(.object([("neg_risk", .bool(market.negRisk))]))
        case ("GET", "markets-by-token", 2):
            let market = try market(tokenText: parts[1])
            return .json(.object([("condition_id", .string(market.conditionID)), ("primary_token_id", .string(market.tokens[0].description)),
                                  ("secondary_token_id", .string(market.tokens[1].description))]))
        case ("GET", "markets", 1): return marketsPage(request)
        case ("GET", "markets", 2):
            guard let market = catalog.market(conditionID: parts[1]) else { throw .notFound("market not found") }
            return .json(clobMarket(market))
        case ("GET", "clob-markets", 2):
            guard let market = catalog.market(conditionID: parts[1]) else { throw .notFound("market not found") }
            return .json(compactMarket(market))
        case ("GET", "events", 1): return events(request)
        case (_, "admin", _): return try admin(request)
        case ("POST", "auth", 2) where parts[1] == "api-key":
            let (address, nonce) = try keys.verifyL1(request, nowSeconds: authClock() / 1000)
            let creds = try keys.create(address: address, nonce: nonce)
            fundOnce(address)
            return .json(credentialsJSON(creds))
        case ("GET", "auth", 2) where parts[1] == "derive-api-key":
            let (address, nonce) = try keys.verifyL1(request, nowSeconds: authClock() / 1000)
            let creds = try keys.derive(address: address, nonce: nonce)
            fundOnce(address)
            return .json(credentialsJSON(creds))
        default:
            if let call = PublicMarketDataCall(method: request.method, parts: parts) { return try publicMarketData(call, request) }
            return try routePrivate(request, parts)
        }
    }

    private func routePrivate(_ request: SimRequest, _ parts: [String]) throws(SimError) -> SimResponse {
        let known = ["order", "orders", "cancel-all", "cancel-market-orders", "data", "balance-allowance", "v1", "auth"]
        guard known.contains(parts.first ?? "") else { throw .notFound("Not Found") }
        let key = try keys.verifyL2(request, nowSeconds: authClock() / 1000)
        if key.readOnly && request.method != "GET" {
            throw .unauthorized("Unauthorized/Invalid api key: read-only keys cannot trade")
        }
        if faults.mode == .restarting && ["order", "orders"].contains(parts.first ?? "") {
            throw SimError(status: 425, message: "the matching engine is restarting, retry shortly")
        }
        if let call = TradingCall(method: request.method, parts: parts) { return trading(call, request, key: key) }
        switch (request.method, parts.first ?? "", parts.count) {
        case ("GET", "v1", 3) where parts[1] == "user" && parts[2] == "rate-limit-tier": return rateLimitTier(key: key)
        case ("GET", "data", 3) where parts[1] == "order": return try order(parts[2], key: key)
        case ("GET", "data", 2) where parts[1] == "orders": return openOrders(request, key: key)
        case ("GET", "data", 2) where parts[1] == "trades": return tradesPage(request, key: key)
        case ("GET", "balance-allowance", _): return try balanceAllowance(request, key: key)
        case ("POST", "v1", 2) where parts[1] == "heartbeats": return try heartbeat(request, key: key)
        case ("GET", "auth", 2) where parts[1] == "api-keys":
            return .json(.object([("apiKeys", .array([.string(key.credentials.apiKey)]))]))
        case ("POST", "auth", 2) where parts[1] == "readonly-api-key":
            let creds = try keys.createReadOnly(for: key)
            return .json(credentialsJSON(creds))
        case ("GET", "auth", 2) where parts[1] == "readonly-api-keys":
            return .json(.object([("apiKeys", .array(keys.readOnlyKeys(of: key.address).map { .string($0) }))]))
        case ("DELETE", "auth", 2) where parts[1] == "readonly-api-key":
            let target = (try? JSONParser.parse(request.body))?["key"]?.scalarText ?? ""
            guard keys.deleteReadOnly(target, of: key.address) else { throw .notFound("api key not found") }
            return SimResponse(status: 200, body: "\"OK\"")
        default: throw .notFound("Not Found")
        }
    }

    // MARK: Time-driven work

    /// Settles trades, expires GTD orders and fires heartbeat dead-man switches; the server
    /// calls it every 100 ms, tests with a manual clock.
    func tick() {
        defer { publish() }
        runMarkets()
        samplePriceHistory()
        let now = nowMillis
        let catalog = self.catalog
        engine.releaseDelayed(nowMillis: now) { catalog.market(conditionID: $0) }
        let ppm = max(configuration.failurePartsPerMillion, faults.ghostFillPartsPerMillion)
        let seed = configuration.seed
        _ = engine.advanceTrades(nowMillis: now, minedAfter: configuration.minedAfterMillis, confirmedAfter: configuration.confirmedAfterMillis) { id in
            guard ppm > 0 else { return false }
            let draw = Keccak256.hash(utf8: "fail:\(seed):\(id)").prefix(4).reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
            return draw % 1_000_000 < ppm
        }
        _ = engine.expire(nowSeconds: now / 1000, leadSeconds: configuration.gtdLeadSeconds)
        for (apiKey, beat) in heartbeats where now - beat.lastMillis > configuration.heartbeatTimeoutMillis {
            for id in engine.openOrderIDs(owner: apiKey) { _ = engine.cancel(id, owner: apiKey) }
            heartbeats[apiKey] = nil
        }
    }

    // MARK: Accounts

    func fundOnce(_ address: EthereumAddress) {
        guard !funded.contains(address) else { return }
        funded.insert(address)
        engine.fund(address, collateral: configuration.startingBalance)
    }

    /// Admin: credit collateral or shares.
    func fund(_ address: EthereumAddress, collateral: Int64) {
        funded.insert(address)
        engine.fund(address, collateral: collateral)
    }

    func fund(_ address: EthereumAddress, token: TokenID, shares: Int64) {
        engine.fund(address, token: token, shares: shares)
    }

    func recordFunder(_ wallet: EthereumAddress, signatureType: SignatureType, apiKey: String) {
        funders[apiKey, default: [:]][signatureType] = wallet
    }

    func funder(for apiKey: String, signatureType: SignatureType) -> EthereumAddress? {
        funders[apiKey]?[signatureType]
    }

    func nextHeartbeatID() -> String {
        heartbeatCounter += 1
        return MatchingEngine.tradeID(seed: configuration.seed &+ 7, counter: heartbeatCounter)
    }

    func market(tokenText: String?) throws(SimError) -> SimMarket {
        guard let tokenText, !tokenText.isEmpty else { throw .badRequest("Invalid token id") }
        guard let token = try? TokenID(decimal: tokenText) else { throw .badRequest("Invalid token id") }
        guard let market = catalog.market(for: token) else { throw .notFound("No orderbook exists for the requested token id") }
        return market
    }

    private func credentialsJSON(_ creds: ApiCredentials) -> JSONValue {
        .object([("apiKey", .string(creds.apiKey)), ("secret", .string(creds.secret)), ("passphrase", .string(creds.passphrase))])
    }
}
