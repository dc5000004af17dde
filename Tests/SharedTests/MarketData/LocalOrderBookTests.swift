import Testing
import MarketData
import PolypipeCore
import VenueClient

@Suite struct LocalOrderBookTests {
    let up = try! TokenID(decimal: "111")
    let down = try! TokenID(decimal: "222")

    func event(_ text: String) throws -> MarketEvent { try MarketEvent(json: try JSONParser.parse(text)) }

    var snapshot: String {
        #"{"event_type":"book","asset_id":"111","market":"0xabc","bids":[{"price":"0.47","size":"50"},{"price":"0.48","size":"100"}],"asks":[{"price":"0.55","size":"10"},{"price":"0.52","size":"100"}],"timestamp":"1","hash":"h","tick_size":"0.01"}"#
    }

    @Test func aSnapshotReplacesTheBookAndGivesBestPrices() throws {
        var books = OrderBooks(tokens: [up, down])
        #expect(books[up]?.bestAsk == nil, "a book starts invalid")
        books.apply(try event(snapshot))
        #expect(books[up]?.bestBid == PriceLevel(price: try Price("0.48"), size: try Shares("100")))
        #expect(books[up]?.bestAsk == PriceLevel(price: try Price("0.52"), size: try Shares("100")))
        #expect(books[up]?.mid == Price(micros: 500_000))
        books.apply(try event(#"{"event_type":"book","asset_id":"111","market":"0xabc","bids":[],"asks":[{"price":"0.60","size":"5"}]}"#))
        #expect(books[up]?.bestBid == nil && books[up]?.bestAsk?.price == Price(micros: 600_000), "the old levels are gone")
    }

    @Test func priceChangeSetsTotalsAndZeroRemoves() throws {
        var books = OrderBooks(tokens: [up, down])
        books.apply(try event(snapshot))
        books.apply(try event(#"{"event_type":"price_change","market":"0xabc","timestamp":"2","price_changes":[{"asset_id":"111","price":"0.52","size":"0","side":"SELL","hash":"x","best_bid":"0.48","best_ask":"0.55"},{"asset_id":"111","price":"0.49","size":"7","side":"BUY","hash":"y"},{"asset_id":"999","price":"0.1","size":"1","side":"BUY"}]}"#))
        #expect(books[up]?.bestAsk?.price == Price(micros: 550_000))
        #expect(books[up]?.bestBid == PriceLevel(price: Price(micros: 490_000), size: Shares(micros: 7_000_000)))
        books.apply(try event(#"{"event_type":"price_change","market":"0xabc","price_changes":[{"asset_id":"111","price":"0.49","size":"3","side":"BUY"}]}"#))
        #expect(books[up]?.bestBid?.size == Shares(micros: 3_000_000), "size is the new total, not a delta")
    }

    @Test func tickSizeChangeDropsTheBookUntilTheNextSnapshot() throws {
        var books = OrderBooks(tokens: [up, down])
        books.apply(try event(snapshot))
        books.apply(try event(#"{"event_type":"tick_size_change","asset_id":"111","market":"0xabc","old_tick_size":"0.01","new_tick_size":"0.001","timestamp":"3"}"#))
        #expect(books[up]?.isValid == false && books[up]?.bestAsk == nil && books[up]?.tickSize == .thousandth)
        books.apply(try event(#"{"event_type":"price_change","market":"0xabc","price_changes":[{"asset_id":"111","price":"0.971","size":"3","side":"SELL"}]}"#))
        #expect(books[up]?.bestAsk == nil, "updates to a dropped book are ignored")
        books.apply(try event(snapshot))
        #expect(books[up]?.isValid == true && books[up]?.bestAsk?.price == Price(micros: 520_000))
    }

    @Test func malformedMessagesNameTheField() throws {
        let cases: [(String, String)] = [
            (#"{"event_type":"book","asset_id":"111","bids":[{"price":"abc","size":"1"}],"asks":[]}"#, "book.bids[0]: field price"),
            (#"{"event_type":"price_change","price_changes":[{"asset_id":"111","price":"0.5","size":"1","side":"UP"}]}"#, "field side"),
            (#"{"event_type":"tick_size_change","asset_id":"111","new_tick_size":"0.02"}"#, "field new_tick_size"),
            (#"{"asset_id":"111"}"#, "field event_type is missing"),
        ]
        for (text, needle) in cases {
            #expect(throws: MarketDataError.self) { try event(text) }
            do { _ = try event(text) } catch { #expect("\(error)".contains(needle), "\(error)") }
        }
        #expect(throws: MarketDataError.unsupported("event_type best_bid_ask")) {
            try event(#"{"event_type":"best_bid_ask","asset_id":"111"}"#)
        }
    }
}
