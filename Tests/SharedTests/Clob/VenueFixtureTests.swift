import Foundation
import Testing
import PolypipeCore
import VenueClient

/// The recorded venue payloads in ../shared/fixtures/venue parse into exact typed values.
@Suite struct VenueFixtureTests {
    static func json(_ name: String) throws -> JSONValue {
        let url = Vectors.repositoryRoot.appendingPathComponent("../shared/fixtures/venue/nautilus/\(name)").standardized
        return try JSONParser.parse(Array(try Data(contentsOf: url)))
    }

    @Test func book() throws {
        let book = try OrderBookSummary(json: try Self.json("clob_book_response.json"))
        #expect(book.bids.count == 3 && book.asks.count == 3)
        #expect(book.bestBid == PriceLevel(price: Price(micros: 500_000), size: Shares(micros: 150_000_000)))
        #expect(book.bestAsk == PriceLevel(price: Price(micros: 510_000), size: Shares(micros: 120_000_000)))
    }

    @Test func openOrderAndPage() throws {
        let order = try OpenOrder(json: try Self.json("http_open_order.json"))
        #expect(order.status == "LIVE" && order.side == .buy)
        #expect(order.originalSize == Shares(micros: 100_000_000) && order.sizeMatched == Shares(micros: 25_000_000))
        #expect(order.price == Price(micros: 500_000) && order.associateTrades == ["0xabc001"] && order.createdAt == 1_703_875_200)
        let page = try Page(json: try Self.json("http_open_orders_page.json")) { json throws(ClobError) in try OpenOrder(json: json) }
        #expect(!page.data.isEmpty)
    }

    @Test func tradesPage() throws {
        let page = try Page(json: try Self.json("http_trades_page.json")) { json throws(ClobError) in try Trade(json: json) }
        let trade = try #require(page.data.first)
        #expect(trade.status == .confirmed && trade.status.isTerminal)
        #expect(trade.size == Shares(micros: 10_000_000) && trade.price == Price(micros: 500_000))
        #expect(page.isLast)
    }

    /// A live user-channel frame whose `maker_orders` carry no `side` (nautilus `user_trade1.json`):
    /// each leg's side follows from its match type, and the trade is read, not refused.
    @Test func userChannelTradeWithoutMakerSides() throws {
        let trade = try Trade(json: try Self.json("python/ws_messages/user_trade1.json"))
        #expect(trade.status == .mined && trade.side == .buy && trade.makerOrders.count == 6)
        // The first maker rested on the sibling token (No at 0.482 against a Yes BUY at 0.518): a MINT, so it bought too.
        #expect(trade.makerOrders[0].tokenID != trade.tokenID && trade.makerOrders[0].side == .buy)
        // The others rested on the taker's token: they sold.
        #expect(trade.makerOrders.dropFirst().allSatisfy { $0.tokenID == trade.tokenID && $0.side == .sell })
        #expect(trade.makerOrders[1].matchedAmount == Shares(micros: 247_680_000) && trade.makerOrders[1].price == Price(micros: 518_000))
        // When the venue states the side, it is taken as written (here BUY on the taker's own
        // token, where the match type alone would have said SELL).
        let stated = try Trade(json: try Self.json("python/ws_messages/user_trade3.json"))
        #expect(stated.makerOrders.first?.side == .buy && stated.makerOrders.first?.tokenID == stated.tokenID)
        #expect(TradeStatus(text: TradeStatus.matchedNotBroadcasted.text) == .matchedNotBroadcasted)
        #expect(TradeStatus(text: "TRADE_STATUS_MINED") == .mined && TradeStatus(text: TradeStatus.other("LATER").text) == .other("LATER"))
    }

    @Test func balanceCancelAndCredentials() throws {
        let balance = try BalanceAllowance(json: try Self.json("http_balance_allowance_collateral.json"))
        #expect(balance.balance == UInt256(UInt64(37_506_152)) && balance.allowances.count == 3)
        let cancel = try CancelResult(json: try Self.json("http_cancel_response_ok.json"))
        #expect(cancel.canceled.count == 1 && cancel.notCanceled.isEmpty)
        let creds = try ApiCredentials(json: try Self.json("http_api_credentials.json"))
        #expect(creds.apiKey == "test-api-key")
        #expect(!"\(creds)".contains("test-secret"), "credentials print redacted")
    }

    @Test func orderResponses() throws {
        guard case .accepted(let acceptance) = SubmitOutcome(result: try Self.json("http_order_response_ok.json")) else {
            Issue.record("a delayed order was not accepted")
            return
        }
        #expect(acceptance.status == "delayed" && acceptance.orderID.description.hasPrefix("0x1111"))
        #expect(SubmitOutcome(result: try Self.json("http_order_response_failed.json")) == .rejected(reason: "Insufficient balance"))
    }

    @Test func badVenueValuesNameTheField() {
        do {
            _ = try OrderBookSummary(json: try JSONParser.parse(#"{"asset_id":"1","bids":[{"price":"0.5","size":"1.1234567"}],"asks":[]}"#))
            Issue.record("a size with 7 decimals was accepted")
        } catch {
            #expect("\(error)".contains("book.bids[0].size"))
        }
    }
}
