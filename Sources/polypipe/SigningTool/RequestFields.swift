import PolypipeCore
import VenueClient

/// Typed, strict access to one JSON request object. Every accessor names the field in its error,
/// and a JSON `null` counts as absent (the vectors write absent options as `null`).
struct RequestFields {
    let value: JSONValue
    let path: String

    init(_ value: JSONValue, path: String = "") throws(RequestError) {
        guard case .object = value else {
            throw RequestError(path.isEmpty ? "the request must be a JSON object, got \(value.kindName)" : "\(path) must be a JSON object, got \(value.kindName)")
        }
        self.value = value
        self.path = path
    }

    private func name(_ key: String) -> String { path.isEmpty ? key : "\(path).\(key)" }

    /// The member, or nil when absent or null.
    func raw(_ key: String) -> JSONValue? {
        guard let member = value[key], !member.isNull else { return nil }
        return member
    }

    func has(_ key: String) -> Bool { raw(key) != nil }

    func object(_ key: String) throws(RequestError) -> RequestFields? {
        guard let member = raw(key) else { return nil }
        return try RequestFields(member, path: name(key))
    }

    func string(_ key: String) throws(RequestError) -> String? {
        guard let member = raw(key) else { return nil }
        guard case .string(let text) = member else { throw .field(name(key), "expected a string, got \(member.kindName)") }
        return text
    }

    func requiredString(_ key: String) throws(RequestError) -> String {
        guard let text = try string(key) else { throw .field(name(key), "is required") }
        return text
    }

    /// A number or a numeric string, as its literal text.
    func numberText(_ key: String) throws(RequestError) -> String? {
        guard let member = raw(key) else { return nil }
        switch member {
        case .number(let text), .string(let text): return text
        default: throw .field(name(key), "expected a number, got \(member.kindName)")
        }
    }

    func bool(_ key: String, default fallback: Bool) throws(RequestError) -> Bool {
        guard let member = raw(key) else { return fallback }
        guard case .bool(let flag) = member else { throw .field(name(key), "expected true or false, got \(member.kindName)") }
        return flag
    }

    /// A non-negative integer up to 2^256 − 1, given as a JSON number or a decimal string.
    func uint256(_ key: String) throws(RequestError) -> UInt256? {
        guard let text = try numberText(key) else { return nil }
        do { return try UInt256(decimal: text) } catch { throw .field(name(key), "\(text) is not a non-negative integer (\(error))") }
    }

    func requiredUInt256(_ key: String) throws(RequestError) -> UInt256 {
        guard let value = try uint256(key) else { throw .field(name(key), "is required") }
        return value
    }

    func uint64(_ key: String) throws(RequestError) -> UInt64? {
        guard let value = try uint256(key) else { return nil }
        guard let small = value.uint64Value else { throw .field(name(key), "\(value) is too large") }
        return small
    }

    func address(_ key: String) throws(RequestError) -> EthereumAddress? {
        guard let text = try string(key) else { return nil }
        do { return try EthereumAddress(text) } catch { throw .field(name(key), error.description) }
    }

    func bytes32(_ key: String) throws(RequestError) -> Bytes32? {
        guard let text = try string(key) else { return nil }
        do { return try Bytes32(text) } catch { throw .field(name(key), error.description) }
    }

    func chain(_ key: String = "chain_id") throws(RequestError) -> Chain {
        guard let id = try uint64(key) else { throw .field(name(key), "is required (137 Polygon or 80002 Amoy)") }
        guard let chain = Chain(rawValue: id) else {
            throw .field(name(key), "\(id) is not a chain the venue runs on (137 Polygon, 80002 Amoy)")
        }
        return chain
    }

    func signatureType(_ key: String) throws(RequestError) -> SignatureType? {
        guard let value = try uint64(key) else { return nil }
        guard value <= 3, let type = SignatureType(rawValue: UInt8(value)) else {
            throw .field(name(key), "\(value) is not a signature type (0 EOA, 1 POLY_PROXY, 2 POLY_GNOSIS_SAFE, 3 POLY_1271)")
        }
        return type
    }

    func side(_ key: String) throws(RequestError) -> Side {
        guard let member = raw(key) else { throw .field(name(key), "is required (BUY or SELL)") }
        switch member {
        case .string(let text):
            if let side = Side(text: text) { return side }
            if text == "0" { return .buy }
            if text == "1" { return .sell }
            throw .field(name(key), "\"\(text)\" is not BUY or SELL")
        case .number(let text) where text == "0": return .buy
        case .number(let text) where text == "1": return .sell
        default: throw .field(name(key), "expected BUY or SELL, got \(member.kindName)")
        }
    }

    func orderType(_ key: String = "order_type") throws(RequestError) -> OrderType {
        guard let text = try string(key) else { return .gtc }
        guard let type = OrderType(text: text) else { throw .field(name(key), "\"\(text)\" is not GTC, GTD, FOK or FAK") }
        return type
    }

    func tickSize(_ key: String = "tick_size") throws(RequestError) -> TickSize? {
        guard let text = try numberText(key) else { return nil }
        guard let tick = TickSize(text: text) else {
            throw .field(name(key), "\(text) is not a tick size the venue uses (0.1, 0.01, 0.005, 0.0025, 0.001, 0.0001)")
        }
        return tick
    }

    /// Decimal text of a price/size/amount: `<key>_str` when present (exact), else `<key>`.
    func decimalText(_ key: String) throws(RequestError) -> String? {
        if let text = try string("\(key)_str") { return text }
        return try numberText(key)
    }
}
