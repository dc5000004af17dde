import Crypto
import Foundation
import PolypipeCore

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
    /// HMAC keyed once (inner and outer pads already absorbed); each request copies it.
    ///
    /// `nonisolated(unsafe)`: `HMAC<SHA256>` is not marked Sendable, but it is a value type whose
    /// BoringSSL digest context is copy-on-write (`Digest_boring.swift` copies the context when
    /// it is not uniquely referenced before every update). This stored copy is never mutated;
    /// each caller mutates only its own local copy, so concurrent signers never share state.
    nonisolated(unsafe) private let keyed: HMAC<SHA256>
    private let addressText: String

    /// Why an API secret could not be used.
    public enum Failure: Error, Equatable, CustomStringConvertible {
        case secretNotBase64
        public var description: String { "the API secret is not valid base64 (neither url-safe nor standard alphabet)" }
    }

    public init(credentials: ApiCredentials, address: EthereumAddress) throws(Failure) {
        guard let decoded = L2Signer.decodeSecret(credentials.secret) else { throw .secretNotBase64 }
        self.credentials = credentials
        self.address = address
        self.keyed = HMAC<SHA256>(key: SymmetricKey(data: decoded))
        self.addressText = address.checksummed
    }

    /// The exact text that is HMACed. `path` carries no query string; a nil or empty body adds
    /// nothing. Like the official client, every `'` in the body becomes `"`.
    public static func message(timestamp: String, method: String, path: String, body: String?) -> String {
        String(decoding: messageBytes(timestamp: timestamp, method: method, path: path, body: body), as: UTF8.self)
    }

    static func messageBytes(timestamp: String, method: String, path: String, body: String?) -> [UInt8] {
        var bytes = [UInt8]()
        bytes.reserveCapacity(timestamp.utf8.count + method.utf8.count + path.utf8.count + (body?.utf8.count ?? 0))
        bytes.append(contentsOf: timestamp.utf8)
        bytes.append(contentsOf: method.utf8)
        bytes.append(contentsOf: path.utf8)
        if let body {
            let start = bytes.count
            bytes.append(contentsOf: body.utf8)
            if containsApostrophe(body) {
                for index in start..<bytes.count where bytes[index] == UInt8(ascii: "'") { bytes[index] = UInt8(ascii: "\"") }
            }
        }
        return bytes
    }

    /// `POLY_SIGNATURE` for `message`.
    public func signature(message: String) -> String {
        signature(messageBytes: Array(message.utf8))
    }

    private func signature(messageBytes: [UInt8]) -> String {
        var mac = keyed
        messageBytes.withUnsafeBytes { mac.update(data: $0) }
        return mac.finalize().withUnsafeBytes { L2Signer.base64URL($0) }
    }

    /// The five `POLY_*` headers for one request, in the official client's order.
    public func headers(timestamp: String, method: String, path: String, body: String?) -> [(name: String, value: String)] {
        // One contiguous message and one update: swift-crypto's generic `update(data:)` costs an
        // allocation per call, so feeding the parts separately is slower than copying them.
        headers(timestamp: timestamp, signature: signature(messageBytes: L2Signer.messageBytes(timestamp: timestamp, method: method, path: path, body: body)))
    }

    /// The headers for a body given as the exact UTF-8 bytes that will be sent (the submit path).
    public func headers(timestamp: String, method: String, path: String, bodyBytes: [UInt8]) -> [(name: String, value: String)] {
        var message = [UInt8]()
        message.reserveCapacity(timestamp.utf8.count + method.utf8.count + path.utf8.count + bodyBytes.count)
        message.append(contentsOf: timestamp.utf8)
        message.append(contentsOf: method.utf8)
        message.append(contentsOf: path.utf8)
        let start = message.count
        message.append(contentsOf: bodyBytes)
        if bodyBytes.withUnsafeBytes({ raw in raw.baseAddress.map { memchr($0, 0x27, raw.count) != nil } ?? false }) {
            for index in start..<message.count where message[index] == UInt8(ascii: "'") { message[index] = UInt8(ascii: "\"") }
        }
        return headers(timestamp: timestamp, signature: signature(messageBytes: message))
    }

    private func headers(timestamp: String, signature sig: String) -> [(name: String, value: String)] {
        [
            ("POLY_ADDRESS", addressText),
            ("POLY_SIGNATURE", sig),
            ("POLY_TIMESTAMP", timestamp),
            ("POLY_API_KEY", credentials.apiKey),
            ("POLY_PASSPHRASE", credentials.passphrase),
        ]
    }

    private static func containsApostrophe(_ text: String) -> Bool {
        var text = text
        return text.withUTF8 { utf8 in utf8.contains(UInt8(ascii: "'")) }
    }

    /// Decodes a secret in the url-safe or the standard alphabet, padded or not.
    public static func decodeSecret(_ secret: String) -> [UInt8]? {
        var text = secret.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while text.utf8.count % 4 != 0 { text += "=" }
        guard let data = Data(base64Encoded: text) else { return nil }
        return Array(data)
    }

    private static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".utf8)

    /// RFC 4648 §5 base64url with `=` padding (Python's `urlsafe_b64encode`).
    static func base64URL(_ bytes: UnsafeRawBufferPointer) -> String {
        var out = [UInt8]()
        out.reserveCapacity((bytes.count + 2) / 3 * 4)
        var index = 0
        while index + 3 <= bytes.count {
            let chunk = UInt32(bytes[index]) << 16 | UInt32(bytes[index + 1]) << 8 | UInt32(bytes[index + 2])
            out.append(alphabet[Int((chunk >> 18) & 0x3F)])
            out.append(alphabet[Int((chunk >> 12) & 0x3F)])
            out.append(alphabet[Int((chunk >> 6) & 0x3F)])
            out.append(alphabet[Int(chunk & 0x3F)])
            index += 3
        }
        let rest = bytes.count - index
        if rest > 0 {
            let chunk = UInt32(bytes[index]) << 16 | (rest == 2 ? UInt32(bytes[index + 1]) << 8 : 0)
            out.append(alphabet[Int((chunk >> 18) & 0x3F)])
            out.append(alphabet[Int((chunk >> 12) & 0x3F)])
            out.append(rest == 2 ? alphabet[Int((chunk >> 6) & 0x3F)] : UInt8(ascii: "="))
            out.append(UInt8(ascii: "="))
        }
        return String(decoding: out, as: UTF8.self)
    }
}
