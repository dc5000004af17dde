import PolypipeCore
/// Settlement state of a trade (spec §4.3, §5.2): provisional until `confirmed`; `failed` voids it.
public enum TradeStatus: Sendable, Hashable {
    case matched, mined, confirmed, retrying, failed, matchedNotBroadcasted
    /// A status this build does not know; kept verbatim and treated as provisional.
    case other(String)

    /// From the REST (`TRADE_STATUS_MINED`) or WebSocket (`MINED`) spelling.
    public init(text: String) {
        switch OpenOrder.stripPrefix(text.uppercased(), "TRADE_STATUS_") {
        case "MATCHED": self = .matched
        case "MINED": self = .mined
        case "CONFIRMED": self = .confirmed
        case "RETRYING": self = .retrying
        case "FAILED": self = .failed
        case "MATCHED_NOT_BROADCASTED": self = .matchedNotBroadcasted
        default: self = .other(text)
        }
    }

    /// No further change will come: `confirmed` or `failed`.
    public var isTerminal: Bool { self == .confirmed || self == .failed }

    /// The bare WebSocket spelling (`MINED`); an unknown status verbatim. `TradeStatus(text:)`
    /// reads it back to the same value.
    public var text: String {
        switch self {
        case .matched: return "MATCHED"
        case .mined: return "MINED"
        case .confirmed: return "CONFIRMED"
        case .retrying: return "RETRYING"
        case .failed: return "FAILED"
        case .matchedNotBroadcasted: return "MATCHED_NOT_BROADCASTED"
        case .other(let text): return text
        }
    }
}

/// One maker leg of a trade: how much of a resting order filled.
public struct MakerFill: Sendable, Hashable {
    public let orderID: OrderID
    public let owner: String
    public let makerAddress: String
    public let matchedAmount: Shares
    public let price: Price
    public let tokenID: TokenID
    public let outcome: String
    /// The maker order's own side. Some user-channel captures omit it on `maker_orders`
    /// (nautilus `user_trade1.json`, a live 2024 frame); it is then implied by the match type
    /// (spec §7): a maker leg on the taker's token took the other side (COMPLEMENTARY), a leg on
    /// the sibling token took the same side (MINT: buy + buy, MERGE: sell + sell).
    public let side: Side
    /// The maker leg's own `fee_rate_bps` as written ("" when absent); see ``Trade/feeRateBps``.
    public let feeRateBps: String
}

/// A trade (`GET /data/trades`, spec §4.3). `side` and `tokenID` are the taker's view;
/// `traderSide` says whether the caller was the taker or a maker.
public struct Trade: Sendable, Hashable {
    public let id: String
    /// The taker order's id; empty when the venue left it out.
    public let takerOrderID: OrderID
    public let market: String
    public let tokenID: TokenID
    public let side: Side
    public let size: Shares
    public let price: Price
    public let status: TradeStatus
    /// As the venue wrote it: unix seconds or an ISO-8601 time.
    public let matchTime: String
    public let lastUpdate: String
    public let outcome: String
    public let bucketIndex: Int
    public let owner: String
    public let makerAddress: String
    public let transactionHash: String
    public let traderSide: String
    public let feeRateBps: String
    public let makerOrders: [MakerFill]

    /// - Throws: ``ClobError/unknown(_:)`` naming the field that could not be read.
    public init(json: JSONValue) throws(ClobError) {
        let object = try WireObject(json, context: "trade")
        id = try object.requiredText("id")
        takerOrderID = OrderID(object.text("taker_order_id") ?? "")
        market = object.text("market") ?? ""
        tokenID = try object.tokenID("asset_id")
        side = try object.side("side")
        size = try object.shares("size")
        price = try object.price("price")
        status = TradeStatus(text: try object.requiredText("status"))
        matchTime = object.text("match_time") ?? ""
        lastUpdate = object.text("last_update") ?? ""
        outcome = object.text("outcome") ?? ""
        bucketIndex = object.text("bucket_index").flatMap { Int($0) } ?? 0
        owner = object.text("owner") ?? ""
        makerAddress = object.text("maker_address") ?? ""
        transactionHash = object.text("transaction_hash") ?? ""
        traderSide = object.text("trader_side") ?? ""
        feeRateBps = object.text("fee_rate_bps") ?? ""
        var fills: [MakerFill] = []
        for (index, entry) in try object.array("maker_orders").enumerated() {
            let leg = try WireObject(entry, context: "trade.maker_orders[\(index)]")
            fills.append(MakerFill(orderID: OrderID(try leg.requiredText("order_id")), owner: leg.text("owner") ?? "",
                                   makerAddress: leg.text("maker_address") ?? "", matchedAmount: try leg.shares("matched_amount"),
                                   price: try leg.price("price"), tokenID: try leg.tokenID("asset_id"),
                                   outcome: leg.text("outcome") ?? "", side: try Self.makerSide(leg, takerToken: tokenID, takerSide: side),
                                   feeRateBps: leg.text("fee_rate_bps") ?? ""))
        }
        makerOrders = fills
    }

    /// The maker leg's `side`, or, when the venue left it out, the side its match type implies.
    private static func makerSide(_ leg: WireObject, takerToken: TokenID, takerSide: Side) throws(ClobError) -> Side {
        if leg.text("side") != nil { return try leg.side("side") }
        let sameToken = try leg.tokenID("asset_id") == takerToken
        return sameToken ? (takerSide == .buy ? .sell : .buy) : takerSide
    }
}
