import Foundation
import PolypipeCore
import VenueClient

/// `polypipe auth l1` and `polypipe auth l2`: one JSON request in, one JSON result out.
struct AuthRequests {
    let keys: KeyProvider

    /// `{private_key, chain_id, timestamp, nonce}` → `{address, signature, headers, …}`.
    func l1(_ fields: RequestFields) throws(RequestError) -> JSONValue {
        let key = try keys.key(for: fields)
        let chain = try fields.chain()
        let timestamp = try fields.numberText("timestamp") ?? String(Int(Date().timeIntervalSince1970))
        let nonce = try fields.uint256("nonce") ?? .zero
        let headers: L1Headers
        do {
            headers = try L1Headers(key: key, chain: chain, timestamp: timestamp, nonce: nonce)
        } catch {
            throw RequestError(error.description)
        }
        return .object([
            ("address", .string(key.address.checksummed)),
            ("domain_separator", .string(Hex.encode(headers.domain.separator))),
            ("struct_hash", .string(Hex.encode(headers.message.structHash))),
            ("digest", .string(Hex.encode(headers.digest))),
            ("signature", .string(headers.signature.hex)),
            ("headers", .object(headers.headers.map { ($0.name, JSONValue.string($0.value)) })),
        ])
    }

    /// `{secret, timestamp, method, request_path, body}` (+ `api_key`, `passphrase`, `address`)
    /// → `{hmac_message, signature, headers}`.
    ///
    /// `body` may be a string (sent as is), null, or a JSON object/array, which is HMACed the way
    /// the official client HMACs a Python dict: `str(body)` with `'` turned into `"`.
    func l2(_ fields: RequestFields) throws(RequestError) -> JSONValue {
        let secret = try fields.requiredString("secret")
        guard let timestamp = try fields.numberText("timestamp") else { throw .field("timestamp", "is required") }
        let method = try fields.requiredString("method")
        let path = try fields.requiredString("request_path")
        let body: String?
        switch fields.raw("body") {
        case nil: body = nil
        case .string(let text)?: body = text
        case let structured?: body = PythonRepr.string(of: structured)
        }
        let address = try fields.address("address") ?? .zero
        let credentials = ApiCredentials(apiKey: try fields.string("api_key") ?? "", secret: secret, passphrase: try fields.string("passphrase") ?? "")
        let signer: L2Signer
        do { signer = try L2Signer(credentials: credentials, address: address) } catch { throw .field("secret", error.description) }
        let message = L2Signer.message(timestamp: timestamp, method: method, path: path, body: body)
        let signature = signer.signature(message: message)
        var headers: [(key: String, value: JSONValue)] = []
        if fields.has("address") { headers.append(("POLY_ADDRESS", .string(try fields.requiredString("address")))) }
        headers.append(("POLY_SIGNATURE", .string(signature)))
        headers.append(("POLY_TIMESTAMP", .string(timestamp)))
        if let apiKey = try fields.string("api_key") { headers.append(("POLY_API_KEY", .string(apiKey))) }
        if let passphrase = try fields.string("passphrase") { headers.append(("POLY_PASSPHRASE", .string(passphrase))) }
        return .object([
            ("hmac_message", .string(message)),
            ("signature", .string(signature)),
            ("headers", .object(headers)),
        ])
    }
}

/// Python's `str()` of a parsed JSON value (dict → `{'k': v}`, `True`, `None`, float repr),
/// which is what the official client HMACs when handed a dict instead of serialized text.
enum PythonRepr {
    static func string(of value: JSONValue) -> String {
        switch value {
        case .null: return "None"
        case .bool(let flag): return flag ? "True" : "False"
        case .number(let literal): return number(literal)
        case .string(let text): return quoted(text)
        case .array(let values): return "[" + values.map(string(of:)).joined(separator: ", ") + "]"
        case .object(let members): return "{" + members.map { quoted($0.key) + ": " + string(of: $0.value) }.joined(separator: ", ") + "}"
        }
    }

    /// An int literal stays as is; anything with a fraction or exponent is a Python float.
    private static func number(_ literal: String) -> String {
        guard literal.contains(where: { $0 == "." || $0 == "e" || $0 == "E" }), let value = Double(literal) else { return literal }
        return value.description
    }

    /// `repr(str)`: single quotes unless the text has `'` and no `"`.
    private static func quoted(_ text: String) -> String {
        let quote: Character = text.contains("'") && !text.contains("\"") ? "\"" : "'"
        var out = String(quote)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where Character(scalar) == quote: out += "\\" + String(quote)
            case _ where scalar.value < 0x20 || scalar.value == 0x7F:
                out += "\\x" + String(repeating: "0", count: scalar.value < 0x10 ? 1 : 0) + String(scalar.value, radix: 16)
            default: out.unicodeScalars.append(scalar)
            }
        }
        out.append(quote)
        return out
    }
}
