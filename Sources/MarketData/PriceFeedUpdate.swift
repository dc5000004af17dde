import PolypipeCore
/// One RTDS `crypto_prices` update (spec §5.3):
/// `{"topic":"crypto_prices","type":"update","timestamp":…,"payload":{"symbol":"btcusdt","timestamp":…,"value":67123.45}}`.
///
/// `payload.value` is read from the JSON number's exact text (``JSONParser`` keeps it), never
/// through a binary float. `payload.timestamp` (unix ms) is the venue's time of the price; the
/// outer `timestamp` is used when the payload has none.
public struct PriceFeedUpdate: Sendable, Hashable {
    public let symbol: String
    public let price: SpotPrice
    /// Unix milliseconds of the price, as stamped by the feed.
    public let timestampMillis: Int64

    public init(symbol: String, price: SpotPrice, timestampMillis: Int64) {
        self.symbol = symbol
        self.price = price
        self.timestampMillis = timestampMillis
    }

    /// Parses one feed message.
    /// - Throws: ``MarketDataError/unsupported(_:)`` for messages of another topic (e.g. an
    ///   acknowledgement), ``MarketDataError/badField(context:field:reason:)`` naming the field
    ///   of a `crypto_prices` message that is wrong.
    public init(json: JSONValue) throws(MarketDataError) {
        let message = try MarketDataObject(json, context: "rtds")
        let topic = message.optionalText("topic") ?? "(none)"
        guard topic == "crypto_prices" else { throw .unsupported("rtds topic \(topic)") }
        guard let payloadJSON = json["payload"] else { throw message.fail("payload", "is missing") }
        let payload = try MarketDataObject(payloadJSON, context: "rtds.payload")
        symbol = try payload.text("symbol").lowercased()
        let raw = try payload.text("value")
        guard let price = SpotPrice(text: raw) else { throw payload.fail("value", "\"\(raw)\" is not a positive decimal price") }
        self.price = price
        let stamp = payload.optionalText("timestamp") ?? message.optionalText("timestamp")
        guard let stamp else { throw payload.fail("timestamp", "is missing (and the message has none)") }
        guard let millis = Int64(stamp) else { throw payload.fail("timestamp", "\"\(stamp)\" is not integer milliseconds") }
        timestampMillis = millis
    }
}
