import Foundation
import Logging
import Synchronization
import Testing
import PolypipeTesting
import Bus
import PolypipeCore
import VenueClient

/// Protocol-V2 positions (ExchangeV3 markets) are held in the PositionManager: the venue reports
/// them under `asset_type=CONDITIONAL-V2` only (spec §4.5, §9), so exec-proc must read them there
/// for the confirmed-shares rule to let a SELL of them through.
@Suite struct ExecutorV3HoldingsTests {
    static let condition = "0x" + String(repeating: "5e", count: 32)
    /// Protocol-V2 position ids: module 1 (binary) in the top byte, bits 40-103 zero, outcome index last.
    static let tokens = ["452312848583266388373324160190187140052328760435936792522103529684412137472",
                         "452312848583266388373324160190187140052328760435936792522103529684412137473"]

    /// A venue with one ExchangeV3 market; it reports the held shares only to a CONDITIONAL-V2
    /// query (a CONDITIONAL one for a position id finds nothing, as on the venue).
    final class Venue: HTTPTransport {
        let heldMicros = Mutex<UInt64>(0)
        let balanceQueries = Mutex<[String]>([])
        let posts = Mutex<[String]>([])

        func send(_ request: VenueClient.HTTPRequest) throws(TransportError) -> HTTPResponse {
            let path = String(request.target.split(separator: "?").first ?? "")
            let query = String(request.target.split(separator: "?").dropFirst().first ?? "")
            func ok(_ text: String) -> HTTPResponse { HTTPResponse(status: 200, headers: [], body: Array(text.utf8)) }
            let tokens = ExecutorV3HoldingsTests.tokens
            switch path {
            case _ where path.hasPrefix("/markets-by-token/"):
                return ok(#"{"condition_id": "\#(ExecutorV3HoldingsTests.condition)", "primary_token_id": "\#(tokens[0])", "secondary_token_id": "\#(tokens[1])"}"#)
            case "/book":
                return ok(#"{"market": "\#(ExecutorV3HoldingsTests.condition)", "asset_id": "\#(tokens[0])", "timestamp": "1", "hash": "h", "bids": [{"price": "0.48", "size": "100"}], "asks": [{"price": "0.52", "size": "100"}], "min_order_size": "5", "tick_size": "0.01", "neg_risk": false}"#)
            case "/order":
                let body = String(decoding: request.body ?? [], as: UTF8.self)
                posts.withLock { $0.append(body) }
                let status = body.contains(#""side":"BUY""#) ? "matched" : "live"
                return ok(#"{"success": true, "errorMsg": "", "orderID": "\#(FakeVenue.orderID(ofBody: request.body, exchange: .v3))", "status": "\#(status)", "makingAmount": "", "takingAmount": "", "tradeIDs": [], "transactionsHashes": []}"#)
            case "/balance-allowance":
                balanceQueries.withLock { $0.append(query) }
                let held = query.contains("asset_type=CONDITIONAL-V2") && query.contains("token_id=\(tokens[0])") ? heldMicros.withLock { $0 } : 0
                return ok(#"{"balance": "\#(held)", "allowances": {}}"#)
            default:
                return try FakeVenue().send(request)
            }
        }
    }

    static func action(_ id: String, _ side: Polypipe_Bus_V1_Side, shares: UInt64) -> Polypipe_Bus_V1_Action {
        var action = ExecutorHoldingsTests.action(id, side, shares: shares)
        action.market = condition
        action.tokenID = tokens[0]
        return action
    }

    @Test func aSellOfAV3PositionUsesTheSharesHeldInThePositionManager() throws {
        let venue = Venue()
        let test = try TestExecutor(venue: venue)
        defer { test.remove() }
        let executor = test.executor
        let token = try TokenID(decimal: Self.tokens[0])
        try #require(token.isProtocolV2Position)

        let buy = executor.handle(Self.action("v3-buy", .buy, shares: 10), receivedAtNanos: BusClock.nowNanos())
        try #require(buy.outcome == .accepted, "\(buy.reason)")
        venue.heldMicros.withLock { $0 = 10_000_000 }
        try executor.resynchronize()
        #expect(executor.risk.holdings[token] == 10_000_000)
        #expect(venue.balanceQueries.withLock { $0 }.contains { $0.contains("asset_type=CONDITIONAL-V2") && $0.contains(Self.tokens[0]) })

        let sell = executor.handle(Self.action("v3-sell", .sell, shares: 6), receivedAtNanos: BusClock.nowNanos())
        #expect(sell.outcome == .accepted, "\(sell.reason)")
        #expect(venue.posts.withLock { $0 }.count == 2)
    }
}
