import PolypipeCore
/// Why a market-data message (market WebSocket, RTDS, Gamma) could not be read.
///
/// Every case names the message kind and the field, so a log line says exactly what the venue
/// sent that this build does not understand. A malformed message is logged and dropped; the
/// local state is left as it was.
public enum MarketDataError: Error, Equatable, CustomStringConvertible {
    /// `field` of a `context` message is missing or unreadable; `reason` says how.
    case badField(context: String, field: String, reason: String)
    /// A message kind this build does not handle (not an error for the stream, just skipped).
    case unsupported(String)
    /// The HTTP request for `what` failed or answered a non-200 status.
    case request(what: String, reason: String)

    public var description: String {
        switch self {
        case .badField(let context, let field, let reason): return "\(context): field \(field) \(reason)"
        case .unsupported(let kind): return "unsupported market-data message: \(kind)"
        case .request(let what, let reason): return "request for \(what) failed: \(reason)"
        }
    }
}

/// Typed field access on a JSON object for market-data parsers: each accessor throws a
/// ``MarketDataError/badField(context:field:reason:)`` naming the field.
struct MarketDataObject {
    let json: JSONValue
    let context: String

    init(_ json: JSONValue, context: String) throws(MarketDataError) {
        guard case .object = json else { throw .badField(context: context, field: "(root)", reason: "is \(json.kindName), expected an object") }
        self.json = json
        self.context = context
    }

    func fail(_ field: String, _ reason: String) -> MarketDataError {
        .badField(context: context, field: field, reason: reason)
    }

    /// A string or number member as text.
    func text(_ field: String) throws(MarketDataError) -> String {
        guard let value = json[field] else { throw fail(field, "is missing") }
        guard let text = value.scalarText else { throw fail(field, "is \(value.kindName), expected a string or number") }
        return text
    }

    func optionalText(_ field: String) -> String? {
        json[field]?.scalarText
    }

    func price(_ field: String) throws(MarketDataError) -> Price {
        let raw = try text(field)
        do { return try Price(raw) } catch { throw fail(field, "\"\(raw)\" is not a price: \(error.description)") }
    }

    func shares(_ field: String) throws(MarketDataError) -> Shares {
        let raw = try text(field)
        do { return try Shares(raw) } catch { throw fail(field, "\"\(raw)\" is not a size: \(error.description)") }
    }

    func tokenID(_ field: String) throws(MarketDataError) -> TokenID {
        let raw = try text(field)
        do { return try TokenID(decimal: raw) } catch { throw fail(field, "\"\(raw)\" is not a decimal token id") }
    }

    func array(_ field: String) throws(MarketDataError) -> [JSONValue] {
        guard let value = json[field] else { throw fail(field, "is missing") }
        guard case .array(let items) = value else { throw fail(field, "is \(value.kindName), expected an array") }
        return items
    }

    func bool(_ field: String) throws(MarketDataError) -> Bool {
        guard let value = json[field] else { throw fail(field, "is missing") }
        guard case .bool(let flag) = value else { throw fail(field, "is \(value.kindName), expected a boolean") }
        return flag
    }
}
