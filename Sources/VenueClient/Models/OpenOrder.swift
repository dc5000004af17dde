import PolypipeCore
/// An order as the venue reports it (`GET /data/order/{id}`, `GET /data/orders`, spec §4.3).
public struct OpenOrder: Sendable, Hashable {
    /// The order's id, lower-cased on reading (the venue's spelling of the hex digits varies).
    public let id: OrderID
    /// `LIVE`, `MATCHED`, `CANCELED`, `CANCELED_MARKET_RESOLVED`, `INVALID`, or whatever else
    /// the venue sends (kept as ``VenueOrderStatus/other(_:)``).
    public let status: VenueOrderStatus
    /// The status as the venue wrote it, without the REST prefix (`LIVE`): what the journal,
    /// the bus and the logs record.
    public let statusText: String
    public let owner: String
    public let makerAddress: String
    public let market: String
    public let tokenID: TokenID
    public let side: Side
    public let originalSize: Shares
    public let sizeMatched: Shares
    public let price: Price
    public let outcome: String
    /// Unix seconds; 0 = never.
    public let expiration: UInt64
    public let orderType: String
    public let associateTrades: [String]
    /// Unix seconds, when the venue gives it.
    public let createdAt: Int64?

    /// - Throws: ``ClobError/unknown(_:)`` naming the field that could not be read.
    public init(json: JSONValue) throws(ClobError) {
        let object = try WireObject(json, context: "order")
        id = OrderID(try object.requiredText("id"))
        statusText = Self.stripPrefix(object.text("status") ?? "", VenueOrderStatus.restPrefix)
        status = VenueOrderStatus(text: statusText)
        owner = object.text("owner") ?? ""
        makerAddress = object.text("maker_address") ?? ""
        market = object.text("market") ?? ""
        tokenID = try object.tokenID("asset_id")
        side = try object.side("side")
        originalSize = try object.shares("original_size")
        sizeMatched = try object.shares("size_matched")
        price = try object.price("price")
        outcome = object.text("outcome") ?? ""
        expiration = object.text("expiration").flatMap { UInt64($0) } ?? 0
        orderType = object.text("order_type") ?? ""
        associateTrades = try object.strings("associate_trades")
        createdAt = object.text("created_at").flatMap { Int64($0) }
    }

    static func stripPrefix(_ text: String, _ prefix: String) -> String {
        text.hasPrefix(prefix) ? String(text.dropFirst(prefix.count)) : text
    }
}
