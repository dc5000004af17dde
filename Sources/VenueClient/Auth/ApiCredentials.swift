/// An L2 API credential: the key (public, sent as `owner` and `POLY_API_KEY`), the HMAC secret
/// and the passphrase (spec §3.2).
///
/// - Important: `description` redacts the secret and the passphrase; only the key id prints.
public struct ApiCredentials: Sendable, Hashable, CustomStringConvertible, CustomReflectable {
    /// The API key id (a UUID).
    public let apiKey: String
    /// The base64url HMAC secret as issued.
    public let secret: String
    public let passphrase: String

    public init(apiKey: String, secret: String, passphrase: String) {
        self.apiKey = apiKey
        self.secret = secret
        self.passphrase = passphrase
    }

    public var description: String { "ApiCredentials(apiKey: \(apiKey), secret: <redacted>, passphrase: <redacted>)" }
    public var customMirror: Mirror { Mirror(self, children: ["apiKey": apiKey]) }
}
