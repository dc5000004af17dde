#if canImport(Glibc)
import Glibc
#endif
import PolypipeCore

/// The environment a child process is started with, built explicitly (the `envp` of
/// `posix_spawn`) instead of inherited.
///
/// The launcher builds one from its own environment *after* the key was taken out of it
/// (``EnvironmentSecret/take(_:)`` zeroes and unsets `POLYMARKET_KEY`), and drops the variables
/// that could lead a child to a secret it should not have (`CREDENTIALS_DIRECTORY`). Only the
/// signer's spawn adds a ``SecretVariable``, which never becomes a `String`.
public struct ChildEnvironment: Sendable, Equatable {
    /// `NAME=value` entries, in order.
    public private(set) var entries: [String]

    /// Variables never passed on from the launcher's own environment.
    public static let withheld: Set<String> = ["POLYMARKET_KEY", "CREDENTIALS_DIRECTORY"]

    public init(entries: [String]) { self.entries = entries }

    /// A copy of this process's current environment without `removing` (and without
    /// ``withheld``). Read `environ` directly: it reflects `unsetenv`, unlike a cached copy.
    public static func current(removing names: Set<String> = []) -> ChildEnvironment {
        let drop = names.union(withheld)
        var entries: [String] = []
        var cursor = environ
        while let entry = cursor.pointee {
            let text = String(cString: entry)
            let name = text.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false).first.map(String.init) ?? text
            if !drop.contains(name) { entries.append(text) }
            cursor += 1
        }
        return ChildEnvironment(entries: entries)
    }

    /// Sets (or replaces) `name` to `value`.
    public mutating func set(_ name: String, _ value: String) {
        entries.removeAll { $0.hasPrefix(name + "=") }
        entries.append("\(name)=\(value)")
    }

    /// The value of `name`, if present.
    public func value(_ name: String) -> String? {
        entries.first { $0.hasPrefix(name + "=") }.map { String($0.dropFirst(name.utf8.count + 1)) }
    }
}

/// A private key handed to exactly one child as an environment variable (`NAME=<64 hex>`).
///
/// - Important: the hex text is written into a page-locked buffer only for the duration of the
///   `posix_spawn` call and zeroed right after; it is never a Swift `String`, never in argv, and
///   never in any other child's environment.
public struct SecretVariable: Sendable {
    public let name: String
    public let key: PrivateKey

    public init(name: String, key: PrivateKey) {
        self.name = name
        self.key = key
    }

    /// Lends `body` a NUL-terminated `NAME=<hex>` C string, zeroed and freed when `body` returns.
    func withEntry<Result>(_ body: (UnsafeMutablePointer<CChar>) throws -> Result) rethrows -> Result {
        let prefix = Array((name + "=").utf8)
        let count = prefix.count + 64 + 1
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: count, alignment: 16)
        // allocate(byteCount:) > 0 always has a base address.
        let base = buffer.baseAddress.unsafelyUnwrapped
        _ = mlock(base, count)  // best effort, as PrivateKey does
        defer {
            explicit_bzero(base, count)
            _ = munlock(base, count)
            buffer.deallocate()
        }
        buffer.copyBytes(from: prefix)
        let digits: StaticString = "0123456789abcdef"
        key.withUnsafeSecret { secret in
            for (index, byte) in secret.enumerated() {
                buffer[prefix.count + 2 * index] = digits.utf8Start[Int(byte >> 4)]
                buffer[prefix.count + 2 * index + 1] = digits.utf8Start[Int(byte & 0x0F)]
            }
        }
        buffer[count - 1] = 0
        return try body(base.assumingMemoryBound(to: CChar.self))
    }
}
