#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A secp256k1 private key that cannot leak through printing, logging, `dump` or errors.
///
/// The 32 secret bytes live in their own page-locked allocation (so they are not swapped out),
/// are only reachable through ``withUnsafeSecret(_:)`` inside this module, and are overwritten
/// with zeros when the last reference goes away.
///
/// - Important: `description`, `debugDescription` and the mirror all print `<redacted>` and the
///   public address only. Parsing errors say what was wrong with the text, never what it was.
///
/// Thread safety: immutable after `init` (the bytes are written once, then only read until
/// `deinit` zeroes them, when no other reference can exist), so sharing across tasks is safe;
/// hence the `@unchecked Sendable`.
public final class PrivateKey: @unchecked Sendable, CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    private let secret: UnsafeMutableRawBufferPointer

    /// The account this key controls (derived once at load).
    public let address: EthereumAddress

    /// Loads a key from hex text: 64 hex digits, `0x` optional, surrounding whitespace ignored
    /// (a key file usually ends with a newline).
    /// - Throws: ``SigningError/invalidPrivateKey(reason:)``; the reason never contains the text.
    public convenience init(hex text: some StringProtocol) throws(SigningError) {
        var trimmed = Substring(text)
        while let first = trimmed.first, first.isWhitespace { trimmed = trimmed.dropFirst() }
        while let last = trimmed.last, last.isWhitespace { trimmed = trimmed.dropLast() }
        if trimmed.hasPrefix("0x") || trimmed.hasPrefix("0X") { trimmed = trimmed.dropFirst(2) }
        guard trimmed.utf8.count == 64 else {
            throw .invalidPrivateKey(reason: "expected 64 hex digits, got \(trimmed.utf8.count) characters")
        }
        guard var bytes = try? Hex.decode(trimmed) else {
            throw .invalidPrivateKey(reason: "the text contains characters that are not hex digits")
        }
        defer { PrivateKey.zero(&bytes) }
        try self.init(bytes: bytes)
    }

    /// Loads a key from hex text given as bytes (a key file's contents), so that no `String`
    /// copy of the key is ever made: 64 hex digits, `0x` optional, surrounding whitespace ignored.
    /// - Throws: ``SigningError/invalidPrivateKey(reason:)``; the reason never contains the text.
    public convenience init(hexBytes text: ArraySlice<UInt8>) throws(SigningError) {
        var slice = text
        while let first = slice.first, [0x20, 0x09, 0x0A, 0x0D].contains(first) { slice = slice.dropFirst() }
        while let last = slice.last, [0x20, 0x09, 0x0A, 0x0D].contains(last) { slice = slice.dropLast() }
        if slice.count >= 2, slice[slice.startIndex] == 0x30, slice[slice.startIndex + 1] == 0x78 || slice[slice.startIndex + 1] == 0x58 {
            slice = slice.dropFirst(2)
        }
        guard slice.count == 64 else { throw .invalidPrivateKey(reason: "expected 64 hex digits, got \(slice.count) characters") }
        var bytes = [UInt8](repeating: 0, count: 32)
        defer { PrivateKey.zero(&bytes) }
        var index = slice.startIndex
        for position in 0..<32 {
            guard let high = Hex.nibble(slice[index]), let low = Hex.nibble(slice[index + 1]) else {
                throw .invalidPrivateKey(reason: "the text contains characters that are not hex digits")
            }
            bytes[position] = high << 4 | low
            index += 2
        }
        try self.init(bytes: bytes)
    }

    /// Loads a key from its 32 raw bytes. The caller should zero its own copy afterwards.
    /// - Throws: ``SigningError/invalidPrivateKey(reason:)`` for a wrong length, zero, or a
    ///   value not below the curve order.
    public init(bytes: [UInt8]) throws(SigningError) {
        guard bytes.count == 32 else { throw .invalidPrivateKey(reason: "expected 32 bytes, got \(bytes.count)") }
        let storage = UnsafeMutableRawBufferPointer.allocate(byteCount: 32, alignment: 16)
        storage.copyBytes(from: bytes)
        _ = mlock(storage.baseAddress, 32)  // best effort: keep the page out of swap
        guard Secp256k1.isValidSecret(UnsafeRawBufferPointer(storage)) else {
            PrivateKey.wipe(storage)
            throw .invalidPrivateKey(reason: "the value is zero or not below the secp256k1 curve order")
        }
        guard let publicKey = Secp256k1.publicKey(secret: UnsafeRawBufferPointer(storage)) else {
            PrivateKey.wipe(storage)
            throw .library(function: "secp256k1_ec_pubkey_create")
        }
        self.secret = storage
        self.address = EthereumAddress(publicKey: publicKey)
    }

    deinit {
        PrivateKey.wipe(secret)
    }

    /// The uncompressed public key `x ‖ y` (64 bytes).
    public var publicKey: [UInt8] {
        // Validated at init, so derivation cannot fail here; an empty array would only mean a
        // broken libsecp256k1.
        Secp256k1.publicKey(secret: UnsafeRawBufferPointer(secret)) ?? []
    }

    /// Lends the 32 secret bytes to `body`, which must not copy them out.
    package func withUnsafeSecret<Result>(_ body: (UnsafeRawBufferPointer) throws -> Result) rethrows -> Result {
        try body(UnsafeRawBufferPointer(secret))
    }

    public var description: String { "PrivateKey(<redacted>, address: \(address))" }
    public var debugDescription: String { description }
    public var customMirror: Mirror { Mirror(self, children: ["address": address.checksummed], displayStyle: .class) }

    /// Overwrites a byte array with zeros in a way the optimizer keeps.
    public static func zero(_ bytes: inout [UInt8]) {
        bytes.withUnsafeMutableBytes { raw in
            if let base = raw.baseAddress { explicit_bzero(base, raw.count) }
        }
    }

    private static func wipe(_ storage: UnsafeMutableRawBufferPointer) {
        guard let base = storage.baseAddress else { return }
        explicit_bzero(base, storage.count)
        _ = munlock(base, storage.count)
        storage.deallocate()
    }
}
