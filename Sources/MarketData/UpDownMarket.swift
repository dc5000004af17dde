import Foundation
import PolypipeCore

/// The tradable market of one Up/Down window, read from Gamma `GET /events?slug=` (spec §6.2,
/// §6.3): each window is its own event holding one binary market.
///
/// `outcomes` and `clobTokenIds` arrive as **JSON-encoded strings** and are decoded here; the
/// token of the outcome "Up" is ``upToken`` whatever its index. `eventStartTime`/`endDate` are
/// ISO-8601 UTC; when `eventStartTime` is absent the slug's epoch is the start.
///
/// ``priceToBeat`` is the window's start reference price from the event's
/// `eventMetadata.priceToBeat`, which Polymarket fills in a few seconds after the window opens
/// (observed; spec §6.3 notes the start price is the Chainlink price at the window start). It
/// is nil before that, and for a window that has not started.
public struct UpDownMarket: Sendable, Hashable {
    public let window: UpDownWindow
    public let conditionID: String
    public let upToken: TokenID
    public let downToken: TokenID
    /// Unix seconds.
    public let start: Int64
    public let end: Int64
    public let tickSize: TickSize
    public let acceptingOrders: Bool
    public let closed: Bool
    public let priceToBeat: SpotPrice?

    public init(window: UpDownWindow, conditionID: String, upToken: TokenID, downToken: TokenID, start: Int64, end: Int64,
                tickSize: TickSize, acceptingOrders: Bool, closed: Bool = false, priceToBeat: SpotPrice?) {
        self.window = window
        self.conditionID = conditionID
        self.upToken = upToken
        self.downToken = downToken
        self.start = start
        self.end = end
        self.tickSize = tickSize
        self.acceptingOrders = acceptingOrders
        self.closed = closed
        self.priceToBeat = priceToBeat
    }

    /// Parses the Gamma `/events` answer (an array of events) for `window`.
    /// - Throws: ``MarketDataError/badField(context:field:reason:)`` naming the field that is
    ///   missing or wrong (`markets`, `conditionId`, `clobTokenIds`, `outcomes`, …).
    public init(gammaEvents json: JSONValue, window: UpDownWindow) throws(MarketDataError) {
        let events: [JSONValue]
        switch json {
        case .array(let items): events = items
        case .object: events = [json]  // `/events/slug/{slug}` answers one object
        default: throw .badField(context: "gamma events", field: "(root)", reason: "is \(json.kindName), expected an array of events")
        }
        guard let event = events.first(where: { $0["slug"]?.scalarText == window.slug }) ?? (events.count == 1 ? events.first : nil) else {
            throw .badField(context: "gamma events", field: "slug", reason: "no event with slug \(window.slug) among \(events.count)")
        }
        let eventObject = try MarketDataObject(event, context: "gamma event \(window.slug)")
        let markets = try eventObject.array("markets")
        guard let first = markets.first else { throw eventObject.fail("markets", "is empty") }
        let market = try MarketDataObject(first, context: "gamma market \(window.slug)")

        let conditionID = try market.text("conditionId")
        guard conditionID.hasPrefix("0x"), conditionID.count == 66 else { throw market.fail("conditionId", "\"\(conditionID)\" is not 0x + 64 hex") }
        let outcomes = try Self.stringArray(market, "outcomes")
        let tokenTexts = try Self.stringArray(market, "clobTokenIds")
        guard outcomes.count == 2, tokenTexts.count == 2 else {
            throw market.fail("clobTokenIds", "has \(tokenTexts.count) ids for \(outcomes.count) outcomes, expected 2 and 2")
        }
        guard let upIndex = outcomes.firstIndex(where: { $0.lowercased() == "up" }),
              let downIndex = outcomes.firstIndex(where: { $0.lowercased() == "down" }) else {
            throw market.fail("outcomes", "\(outcomes) is not [\"Up\", \"Down\"]")
        }
        var tokens: [TokenID] = []
        for text in tokenTexts {
            do { tokens.append(try TokenID(decimal: text)) } catch { throw market.fail("clobTokenIds", "\"\(text)\" is not a decimal token id") }
        }
        let tickText = try market.text("orderPriceMinTickSize")
        guard let tick = TickSize(text: tickText) else { throw market.fail("orderPriceMinTickSize", "\(tickText) is not a known tick size") }
        let accepting = try market.bool("acceptingOrders")
        let closed = (try? market.bool("closed")) ?? false

        let start: Int64
        if let text = market.optionalText("eventStartTime") ?? eventObject.optionalText("startTime") {
            guard let seconds = Self.unixSeconds(iso8601: text) else { throw market.fail("eventStartTime", "\"\(text)\" is not an ISO-8601 time") }
            start = seconds
        } else {
            start = window.start
        }
        let endText = try market.text("endDate")
        guard let end = Self.unixSeconds(iso8601: endText) else { throw market.fail("endDate", "\"\(endText)\" is not an ISO-8601 time") }
        guard end > start else { throw market.fail("endDate", "\(endText) is not after the start \(start)") }

        var priceToBeat: SpotPrice?
        if let metadata = event["eventMetadata"] ?? first["eventMetadata"], case .object = metadata, let raw = metadata["priceToBeat"] {
            guard let text = raw.scalarText, let price = SpotPrice(text: text) else {
                throw eventObject.fail("eventMetadata.priceToBeat", "\(JSONWriter.serialize(raw)) is not a positive decimal price")
            }
            priceToBeat = price
        }
        self.init(window: window, conditionID: conditionID, upToken: tokens[upIndex], downToken: tokens[downIndex],
                  start: start, end: end, tickSize: tick, acceptingOrders: accepting, closed: closed, priceToBeat: priceToBeat)
    }

    /// A JSON-encoded string array (`"[\"Up\", \"Down\"]"`); a real array is accepted too.
    private static func stringArray(_ object: MarketDataObject, _ field: String) throws(MarketDataError) -> [String] {
        guard let value = object.json[field] else { throw object.fail(field, "is missing") }
        let array: JSONValue
        switch value {
        case .string(let text):
            do { array = try JSONParser.parse(text) } catch { throw object.fail(field, "is a string that is not JSON: \(text)") }
        case .array: array = value
        default: throw object.fail(field, "is \(value.kindName), expected a JSON-encoded string array")
        }
        guard case .array(let items) = array else { throw object.fail(field, "decodes to \(array.kindName), expected an array") }
        var strings: [String] = []
        for item in items {
            guard let text = item.scalarText else { throw object.fail(field, "holds \(item.kindName), expected strings") }
            strings.append(text)
        }
        return strings
    }

    /// `2026-05-16T16:00:00Z` or with fractional seconds → unix seconds.
    static func unixSeconds(iso8601 text: String) -> Int64? {
        let plain = ISO8601DateFormatter()
        if let date = plain.date(from: text) { return Int64(date.timeIntervalSince1970.rounded(.down)) }
        let fractional = ISO8601DateFormatter()
        fractional.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        if let date = fractional.date(from: text) { return Int64(date.timeIntervalSince1970.rounded(.down)) }
        return nil
    }
}
