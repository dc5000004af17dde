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
        guard let pointer = getenv(name) else { return nil }
        let length = strlen(pointer)
        let value = String(cString: pointer)
        explicit_bzero(pointer, length)
        unsetenv(name)
        return value.isEmpty ? nil : value
    }
}
