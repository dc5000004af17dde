import PolypipeCore
/// Strict reading of one JSON object from the venue. Every failure names the field and becomes
/// ``ClobError/unknown(_:)``: an answer we cannot read proves nothing about what the venue did.
struct WireObject {
    let value: JSONValue
    let context: String

    init(_ value: JSONValue, context: String) throws(ClobError) {
        guard case .object = value else { throw .unknown("unreadable venue answer: \(context) is \(value.kindName), expected an object") }
        self.value = value
        self.context = context
    }

    init(body: [UInt8], context: String) throws(ClobError) {
        let parsed: JSONValue
        do { parsed = try JSONParser.parse(body) } catch { throw .unknown("unreadable venue answer: \(context): \(error)") }
        try self.init(parsed, context: context)
    }

    func fail(_ key: String, _ problem: String) -> ClobError {
        .unknown("unreadable venue answer: \(context).\(key) \(problem)")
    }

    /// Member text (string or number literal), nil when absent or null.
    func text(_ key: String) -> String? { value[key]?.scalarText }

    func requiredText(_ key: String) throws(ClobError) -> String {
        guard let text = text(key) else { throw fail(key, "is missing") }
        return text
    }

    func bool(_ key: String) -> Bool? {
        if case .bool(let flag)? = value[key] { return flag }
        return nil
    }

    func price(_ key: String) throws(ClobError) -> Price {
        let raw = try requiredText(key)
        do { return try Price(raw) } catch { throw fail(key, error.description) }
    }

    func optionalPrice(_ key: String) throws(ClobError) -> Price? {
        guard let raw = text(key), !raw.isEmpty else { return nil }
        do { return try Price(raw) } catch { throw fail(key, error.description) }
    }

    func shares(_ key: String) throws(ClobError) -> Shares {
        let raw = try requiredText(key)
        do { return try Shares(raw) } catch { throw fail(key, error.description) }
    }

    func tokenID(_ key: String) throws(ClobError) -> TokenID {
        let raw = try requiredText(key)
        do { return try TokenID(decimal: raw) } catch { throw fail(key, "\(raw) is not a token id (\(error))") }
    }

    func side(_ key: String) throws(ClobError) -> Side {
        let raw = try requiredText(key)
        guard let side = Side(text: raw) else { throw fail(key, "\"\(raw)\" is not BUY or SELL") }
        return side
    }

    func array(_ key: String) throws(ClobError) -> [JSONValue] {
        switch value[key] {
        case .array(let values)?: return values
        case nil, .null?: return []
        case let other?: throw fail(key, "is \(other.kindName), expected an array")
        }
    }

    func strings(_ key: String) throws(ClobError) -> [String] {
        try array(key).compactMap { $0.scalarText }
    }
}
