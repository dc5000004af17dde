#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Takes a secret out of the process environment so it cannot be read back.
///
/// `unsetenv` alone is not enough: the kernel's `/proc/PID/environ` shows the *original*
/// environment block, which `unsetenv` leaves untouched. So the value's bytes are overwritten in
/// place (where `getenv` found them) before the variable is removed.
public enum EnvironmentSecret {
    /// Returns the value of `name` (nil if unset or empty), then zeroes its bytes in the
    /// environment block and unsets it. A second call returns nil.
    ///
    /// - Important: call once, early, before any thread could read the environment.
    public static func take(_ name: String) -> String? {
        guard var bytes = takeBytes(name) else { return nil }
        defer { PrivateKey.zero(&bytes) }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Like ``take(_:)`` but returns the value as bytes (which the caller zeroes after use), so
    /// no immutable `String` copy of the secret is left on the heap. The whole `NAME=value`
    /// entry is zeroed in the original block: `/proc/PID/environ` then shows neither the value
    /// nor that the variable was ever there.
    public static func takeBytes(_ name: String) -> [UInt8]? {
        guard let pointer = getenv(name) else { return nil }
        let length = strlen(pointer)
        let bytes = Array(UnsafeBufferPointer(start: UnsafeRawPointer(pointer).assumingMemoryBound(to: UInt8.self), count: length))
        // getenv returns the byte after "NAME=" inside the entry; zero from the entry's start.
        let entryStart = pointer - (name.utf8.count + 1)
        unsetenv(name)
        explicit_bzero(entryStart, name.utf8.count + 1 + length)
        return bytes.isEmpty ? nil : bytes
    }
}
