import Crypto
import Foundation

/// L2 request authentication: HMAC-SHA256 over `timestamp + METHOD + path + body`, keyed by the
/// base64url-decoded API secret, sent base64url-encoded with `=` padding (spec §3.2).
///
/// The secret is decoded once at init, so signing a request is one HMAC.
///
/// - Important: the decoded secret is kept private and never printed; ``credentials`` redacts it.
public struct L2Signer: Sendable {
    /// The credential this signer uses.
    public let credentials: ApiCredentials
    /// The key's account, sent as `POLY_ADDRESS`.
    public let address: EthereumAddress
    private let key: [UInt8]

    /// Why an API secret could not be used.
    public enum Failure: Error, Equatable, CustomStringConvertible {
        case secretNotBase64
        public var description: String { "the API secret is not valid base64 (neither url-safe nor standard alphabet)" }
    }

    public init(credentials: ApiCredentials, address: EthereumAddress) throws(Failure) {
        guard let decoded = L2Signer.decodeSecret(credentials.secret) else { throw .secretNotBase64 }
        self.credentials = credentials
        self.address = address
        self.key = decoded
    }

    /// The exact text that is HMACed. `path` carries no query string; a nil or empty body adds
    /// nothing. Like the official client, every `'` in the body becomes `"`.
    public static func message(timestamp: String, method: String, path: String, body: String?) -> String {
        var message = timestamp + method + path
        if let body, !body.isEmpty { message += body.replacingOccurrences(of: "'", with: "\"") }
        return message
    }

    /// `POLY_SIGNATURE` for `message`.
    public func signature(message: String) -> String {
        let mac = HMAC<SHA256>.authenticationCode(for: Array(message.utf8), using: SymmetricKey(data: key))
        return L2Signer.base64URL(Data(mac))
    }

    /// The five `POLY_*` headers for one request, in the official client's order.
    public func headers(timestamp: String, method: String, path: String, body: String?) -> [(name: String, value: String)] {
        let sig = signature(message: L2Signer.message(timestamp: timestamp, method: method, path: path, body: body))
        return [
            ("POLY_ADDRESS", address.checksummed),
            ("POLY_SIGNATURE", sig),
            ("POLY_TIMESTAMP", timestamp),
            ("POLY_API_KEY", credentials.apiKey),
            ("POLY_PASSPHRASE", credentials.passphrase),
        ]
    }

    /// Decodes a secret in the url-safe or the standard alphabet, padded or not.
    public static func decodeSecret(_ secret: String) -> [UInt8]? {
        var text = secret.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while text.utf8.count % 4 != 0 { text += "=" }
        guard let data = Data(base64Encoded: text) else { return nil }
        return Array(data)
    }

    static func base64URL(_ data: Data) -> String {
        data.base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
    }
}
