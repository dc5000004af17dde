import Foundation
import Logging
import Testing
import Bus
import Execution
import JournalStore
import PolypipeCore
import VenueClient

/// The executor with a scripted in-memory venue: random action sequences through the whole
/// pipeline (validation, risk, signing, journal, POST) never produce a signed order that breaks
/// a limit. The check reads what was *signed* (the journal), not what the risk engine says.
@Suite struct ExecutorPropertyTests {
    static let key = try! PrivateKey(hex: "0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d")
    static let markets: [(condition: String, tokens: [String])] = (0..<3).map { index in
        ("0x" + String(repeating: String(format: "%02x", index + 1), count: 32),
         ["1000\(index)1234567890123456789012345678901234567890", "2000\(index)1234567890123456789012345678901234567890"])
    }

    /// A venue that knows three binary markets with a fixed book (bid 0.48 / ask 0.52) and
    /// accepts every order, answering `live`.
    struct FakeVenue: HTTPTransport {
        func send(_ request: VenueClient.HTTPRequest) throws(TransportError) -> HTTPResponse {
            let path = String(request.target.split(separator: "?").first ?? "")
            let query = request.target.split(separator: "?").dropFirst().first.map(String.init) ?? ""
            let token = query.split(separator: "&").first { $0.hasPrefix("token_id=") }.map { String($0.dropFirst(9)) }
                ?? String(path.split(separator: "/").last ?? "")
            func ok(_ text: String) -> HTTPResponse { HTTPResponse(status: 200, headers: [], body: Array(text.utf8)) }
            let market = ExecutorPropertyTests.markets.first { $0.tokens.contains(token) }
            switch path {
            case "/version": return ok(#"{"version": 2}"#)
            case "/tick-size": return ok(#"{"minimum_tick_size": 0.01}"#)
            case "/neg-risk": return ok(#"{"neg_risk": false}"#)
            case _ where path.hasPrefix("/markets-by-token/"):
                guard let market else { return HTTPResponse(status: 404, headers: [], body: Array(#"{"error": "market not found"}"#.utf8)) }
                return ok(#"{"condition_id": "\#(market.condition)", "primary_token_id": "\#(market.tokens[0])", "secondary_token_id": "\#(market.tokens[1])"}"#)
            case "/book":
                return ok(#"{"market": "\#(market?.condition ?? "")", "asset_id": "\#(token)", "timestamp": "1", "hash": "h", "bids": [{"price": "0.48", "size": "100"}], "asks": [{"price": "0.52", "size": "100"}], "min_order_size": "5", "tick_size": "0.01", "neg_risk": false}"#)
            case "/order": return ok(#"{"success": true, "errorMsg": "", "orderID": "\#(ExecutorPropertyTests.orderID(ofBody: request.body))", "status": "live", "makingAmount": "", "takingAmount": "", "tradeIDs": [], "transactionsHashes": []}"#)
            case "/data/orders", "/data/trades": return ok(#"{"limit": 500, "count": 0, "next_cursor": "LTE=", "data": []}"#)
            case "/balance-allowance": return ok(#"{"balance": "0", "allowances": {}}"#)
            default: return HTTPResponse(status: 404, headers: [], body: Array(#"{"error": "not scripted"}"#.utf8))
            }
        }
    }

    /// The order id the venue gives a posted body: the EIP-712 digest of its order under
    /// `exchange` on Polygon (these markets' exchange is CTF V2), as the real venue computes it.
    static func orderID(ofBody body: [UInt8]?, exchange: Exchange = .ctfV2) -> String {
        guard let body, let json = try? JSONParser.parse(body), let decoded = try? OrderPayload.decode(json) else { return "" }
        return Hex.encode(EIP712.digest(domainSeparator: exchange.domain(on: .polygon).separator, structHash: decoded.order.structHash))
    }

    @Test(arguments: 0..<12)
    func randomActionsNeverSignAnOrderBeyondALimit(seed: UInt64) throws {
        let directory = NSTemporaryDirectory() + "exec-prop-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let journal = try Journal(path: directory + "/journal.sqlite")
        let credentials = ApiCredentials(apiKey: "00000000-0000-0000-0000-000000000000", secret: "c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0", passphrase: "p")
        let venue = ClobClient(transport: FakeVenue(), chain: .polygon, l2: try L2Signer(credentials: credentials, address: Self.key.address))
        let limits = RiskLimits(maxOrderNotional: Collateral(micros: 20_000_000), maxMarketExposure: Collateral(micros: 60_000_000),
                                maxTotalExposure: Collateral(micros: 100_000_000), maxOrdersPerMinute: 40,
                                priceBand: Price(micros: 50_000), dailyLossLimit: Collateral(micros: 1_000_000_000))
        let executor = try Executor(configuration: .init(mode: .paper, owner: credentials.apiKey), journal: journal, venue: venue,
                                    builder: OrderBuilder(signer: OrderSigner(key: Self.key, chain: .polygon), signatureType: .eoa, funder: nil),
                                    limits: limits, health: VenueHealth(healthy: true), logger: Logger(label: "test"))
        try executor.reconcileAtStartup()

        var random = SplitMix64(seed: seed)
        var signed: [(market: String, notional: UInt64)] = []
        for index in 0..<120 {
            let market = Self.markets[Int(random.next() % 3)]
            var action = Polypipe_Bus_V1_Action()
            action.id = "p\(seed)-\(index % 100)"  // some ids repeat: duplicates must not sign again
            action.market = random.next() % 10 == 0 ? Self.markets[(Int(random.next() % 2) + 1) % 3].condition : market.condition
            action.tokenID = market.tokens[Int(random.next() % 2)]
            action.side = random.next() % 8 == 0 ? .sell : .buy
            action.sizeMicros = (random.next() % 60 + 1) * 1_000_000
            action.limitPriceMicros = (random.next() % 30 + 35) * 10_000 + (random.next() % 6 == 0 ? 5_000 : 0)
            action.expectedPriceMicros = action.limitPriceMicros
            action.createdAtMs = BusClock.nowMillis() - (random.next() % 20 == 0 ? 60_000 : 0)
            action.ttlMs = 30_000
            let event = executor.handle(action, receivedAtNanos: BusClock.nowNanos())
            if event.outcome == .accepted {
                let notional = UInt64((UInt128(action.sizeMicros) * UInt128(action.limitPriceMicros) + 999_999) / 1_000_000)
                signed.append((event.market, notional))
            }
            if random.next() % 25 == 0 { executor.setState(random.next() % 2 == 0 ? .reducing : .running, reason: "random") }
        }
        // What was signed, checked against the limits independently of the risk engine.
        #expect(signed.count <= limits.maxOrdersPerMinute)
        for order in signed { #expect(order.notional <= limits.maxOrderNotional.micros) }
        var perMarket: [String: UInt64] = [:]
        for order in signed { perMarket[order.market, default: 0] += order.notional }
        for (_, exposure) in perMarket { #expect(exposure <= limits.maxMarketExposure.micros) }
        #expect(perMarket.values.reduce(0, +) <= limits.maxTotalExposure.micros)
        // Exactly once: one journal entry per accepted action id.
        let entries = try journal.entries(in: Journal.State.allCases)
        #expect(Set(entries.map(\.actionID)).count == entries.count)
        #expect(entries.count == signed.count)
        #expect(signed.count > 0)
    }
}
