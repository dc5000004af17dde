import VenueClient

/// A binary market the ``FakeVenue`` knows: its condition, its two tokens, the exchange its
/// orders are signed for, and a fixed top of book.
public struct FakeMarket: Sendable, Hashable {
    public var condition: String
    public var tokens: [String]
    public var exchange: Exchange
    public var bid: String
    public var ask: String
    public var tickSize: String

    public init(condition: String, tokens: [String], exchange: Exchange = .ctfV2,
                bid: String = "0.48", ask: String = "0.52", tickSize: String = "0.01") {
        self.condition = condition
        self.tokens = tokens
        self.exchange = exchange
        self.bid = bid
        self.ask = ask
        self.tickSize = tickSize
    }

    /// Three CTF V2 markets with a 0.48 / 0.52 book, the executor tests' usual world.
    public static let standard: [FakeMarket] = (0..<3).map { index in
        let byte = String(index + 1, radix: 16)
        let hex = (byte.count == 1 ? "0" + byte : byte)
        return FakeMarket(condition: "0x" + String(repeating: hex, count: 32),
                          tokens: ["1000\(index)1234567890123456789012345678901234567890",
                                   "2000\(index)1234567890123456789012345678901234567890"])
    }
}

/// An order as the venue holds it (the `/data/order` shape).
public struct FakeOrder: Sendable, Hashable {
    public var id: String
    public var market: String
    public var token: String
    public var side: String
    public var originalSize: String
    public var sizeMatched: String
    public var price: String
    /// `LIVE`, `MATCHED`, `CANCELED`, `DELAYED`, `UNMATCHED` (written `ORDER_STATUS_…` on the wire).
    public var status: String

    public init(id: String, market: String, token: String, side: String = "BUY", originalSize: String = "5",
                sizeMatched: String = "0", price: String = "0.5", status: String = "LIVE") {
        self.id = id
        self.market = market
        self.token = token
        self.side = side
        self.originalSize = originalSize
        self.sizeMatched = sizeMatched
        self.price = price
        self.status = status
    }

    var json: String {
        #"{"id": "\#(id)", "status": "ORDER_STATUS_\#(status)", "market": "\#(market)", "asset_id": "\#(token)", "side": "\#(side)", "original_size": "\#(originalSize)", "size_matched": "\#(sizeMatched)", "price": "\#(price)", "associate_trades": []}"#
    }
}

/// A trade as `/data/trades` lists it, with us as the taker.
public struct FakeTrade: Sendable, Hashable {
    public var id: String
    public var takerOrder: String
    public var market: String
    public var token: String
    public var side: String
    public var size: String
    public var price: String
    /// `MATCHED`, `MINED`, `CONFIRMED`, `RETRYING`, `FAILED`.
    public var status: String
    /// Unix seconds.
    public var matchTime: Int64

    public init(id: String, takerOrder: String, market: String, token: String, side: String = "BUY",
                size: String, price: String = "0.5", status: String = "MATCHED", matchTime: Int64) {
        self.id = id
        self.takerOrder = takerOrder
        self.market = market
        self.token = token
        self.side = side
        self.size = size
        self.price = price
        self.status = status
        self.matchTime = matchTime
    }

    var json: String {
        #"{"id": "\#(id)", "taker_order_id": "\#(takerOrder)", "market": "\#(market)", "asset_id": "\#(token)", "side": "\#(side)", "size": "\#(size)", "price": "\#(price)", "status": "\#(status)", "match_time": "\#(matchTime)", "maker_orders": []}"#
    }
}
