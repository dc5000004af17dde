import Foundation
import Logging
import Synchronization
import Testing
import PolypipeTesting
import Bus
import PolypipeCore
import VenueClient

/// SET-03: a SELL may use confirmed shares only. Shares bought in a trade that is MATCHED but
/// not yet CONFIRMED vanish if the trade fails, and shares a resting SELL already offers are
/// spoken for; exec-proc sizes what it may sell on the rest, so the venue never receives a
/// SELL above the confirmed, unoffered balance.
@Suite struct ExecutorHoldingsTests {
    /// A venue with one token balance and one trade of ours whose status the test moves.
    final class Venue: HTTPTransport {
        let posts = Mutex<[String]>([])
        let balanceMicros = Mutex<UInt64>(0)
        /// (taker order id, shares, status) of the one trade, once it exists.
        let trade = Mutex<(order: String, size: String, status: String)?>(nil)
        /// A resting SELL of ours (order id, shares, shares matched), once there is one.
        let restingSell = Mutex<(id: String, size: String, matched: String)?>(nil)
        let token = FakeMarket.standard[0].tokens[0]
        /// The `after` (unix seconds) of every trades query.
        let tradesAfter = Mutex<[Int64]>([])

        func send(_ request: VenueClient.HTTPRequest) throws(TransportError) -> HTTPResponse {
            let path = String(request.target.split(separator: "?").first ?? "")
            func ok(_ text: String) -> HTTPResponse { HTTPResponse(status: 200, headers: [], body: Array(text.utf8)) }
            switch path {
            case "/order":
                let body = String(decoding: request.body ?? [], as: UTF8.self)
                posts.withLock { $0.append(body) }
                let status = body.contains(#""side":"BUY""#) ? "matched" : "live"
                return ok(#"{"success": true, "errorMsg": "", "orderID": "\#(FakeVenue.orderID(ofBody: request.body))", "status": "\#(status)", "makingAmount": "", "takingAmount": "", "tradeIDs": [], "transactionsHashes": []}"#)
            case "/balance-allowance":
                let query = String(request.target.split(separator: "?").dropFirst().first ?? "")
                let shares = query.contains("token_id=\(token)") ? balanceMicros.withLock { $0 } : 0
                return ok(#"{"balance": "\#(shares)", "allowances": {}}"#)
            case "/data/trades":
                let query = String(request.target.split(separator: "?").dropFirst().first ?? "")
                if let after = query.split(separator: "&").first(where: { $0.hasPrefix("after=") }).flatMap({ Int64($0.dropFirst(6)) }) {
                    tradesAfter.withLock { $0.append(after) }
                }
                let listed = trade.withLock { $0 }.map {
                    #"{"id": "t-1", "taker_order_id": "\#($0.order)", "market": "\#(FakeMarket.standard[0].condition)", "asset_id": "\#(token)", "side": "BUY", "size": "\#($0.size)", "price": "0.5", "status": "\#($0.status)", "match_time": "\#(BusClock.nowMillis() / 1000 - 30)", "maker_orders": []}"#
                }
                return ok(#"{"limit": 500, "count": \#(listed == nil ? 0 : 1), "next_cursor": "LTE=", "data": [\#(listed ?? "")]}"#)
            case "/data/orders":
                let listed = restingSell.withLock { $0 }.map {
                    #"{"id": "\#($0.id)", "status": "ORDER_STATUS_LIVE", "market": "\#(FakeMarket.standard[0].condition)", "asset_id": "\#(token)", "side": "SELL", "original_size": "\#($0.size)", "size_matched": "\#($0.matched)", "price": "0.5", "associate_trades": []}"#
                }
                return ok(#"{"limit": 500, "count": \#(listed == nil ? 0 : 1), "next_cursor": "LTE=", "data": [\#(listed ?? "")]}"#)
            default:
                return try FakeVenue().send(request)
            }
        }
    }

    static func action(_ id: String, _ side: Polypipe_Bus_V1_Side, shares: UInt64) -> Polypipe_Bus_V1_Action {
        var action = ExecutorSubmissionTests.action(id)
        action.side = side
        action.sizeMicros = shares * 1_000_000
        return action
    }

    @Test func aSellUsesConfirmedSharesThatNoRestingSellOffersAlready() throws {
        let venue = Venue()
        let test = try TestExecutor(venue: venue)
        defer { test.remove() }
        let executor = test.executor
        let token = try TokenID(decimal: venue.token)

        // Held before: 6 confirmed shares. Then a BUY of 4 matches at once; the chain has not
        // confirmed that trade yet, but the balance already shows 10.
        venue.balanceMicros.withLock { $0 = 6_000_000 }
        let buy = executor.handle(Self.action("buy-4", .buy, shares: 4), receivedAtNanos: BusClock.nowNanos())
        try #require(buy.outcome == .accepted)
        venue.balanceMicros.withLock { $0 = 10_000_000 }
        venue.trade.withLock { $0 = (buy.orderID, "4", "TRADE_STATUS_MATCHED") }
        try executor.resynchronize()
        #expect(executor.risk.holdings[token] == 6_000_000, "10 held, 4 of them provisional")

        let tooMany = executor.handle(Self.action("sell-7", .sell, shares: 7), receivedAtNanos: BusClock.nowNanos())
        #expect(tooMany.outcome == .refused && tooMany.reason.contains("without holding them"), "\(tooMany.reason)")
        let confirmed = executor.handle(Self.action("sell-6", .sell, shares: 6), receivedAtNanos: BusClock.nowNanos())
        #expect(confirmed.outcome == .accepted)

        // The trade is confirmed; the SELL rests with 1 of its 6 shares matched (the balance
        // shows 9): its 5 unmatched shares stay spoken for.
        venue.trade.withLock { $0 = (buy.orderID, "4", "TRADE_STATUS_CONFIRMED") }
        venue.restingSell.withLock { $0 = (confirmed.orderID, "6", "1") }
        venue.balanceMicros.withLock { $0 = 9_000_000 }
        try executor.resynchronize()
        #expect(executor.risk.holdings[token] == 9_000_000 - 5_000_000, "9 held, 5 offered by the resting SELL")
        #expect(executor.handle(Self.action("sell-5", .sell, shares: 5), receivedAtNanos: BusClock.nowNanos()).outcome == .refused)
        #expect(executor.handle(Self.action("sell-4", .sell, shares: 4), receivedAtNanos: BusClock.nowNanos()).outcome == .accepted)

        let sells = venue.posts.withLock { $0 }.filter { $0.contains(#""side":"SELL""#) }
        #expect(sells.count == 2, "only the two covered SELLs reached the venue")

        // Each read of trades reaches back an hour at first, then only to just before the
        // oldest unsettled trade (30 s old here), and a minute once everything is settled.
        try executor.resynchronize()
        let now = BusClock.nowMillis() / 1000
        let afters = venue.tradesAfter.withLock { $0 }
        #expect(afters.count >= 3)
        #expect(afters.first.map { now - $0 >= 3_590 } == true, "first read: \(afters)")
        #expect(afters.last.map { now - $0 <= 65 } == true, "a settled token reads the last minute only: \(afters)")
        #expect(afters.dropFirst().allSatisfy { now - $0 <= 30 + 60 + 5 }, "then never further than the unsettled trade: \(afters)")
    }

    @Test func aFailedTradesSharesAreAlreadyGoneAndNotSubtractedTwice() throws {
        let venue = Venue()
        let test = try TestExecutor(venue: venue)
        defer { test.remove() }
        let buy = test.executor.handle(Self.action("buy-5", .buy, shares: 5), receivedAtNanos: BusClock.nowNanos())
        try #require(buy.outcome == .accepted)
        // The venue voided the trade: the balance no longer has the 5 shares.
        venue.balanceMicros.withLock { $0 = 2_000_000 }
        venue.trade.withLock { $0 = (buy.orderID, "5", "TRADE_STATUS_FAILED") }
        try test.executor.resynchronize()
        #expect(test.executor.risk.holdings[try TokenID(decimal: venue.token)] == 2_000_000)
    }
}
