import CProcess
#if canImport(Glibc)
import Glibc
#endif

/// Where the signer's key comes from, and the process hardening that goes with holding it
/// (test matrix KEY-01, KEY-05, KEY-09).
///
/// Order of preference: the systemd credential `$CREDENTIALS_DIRECTORY/polymarket-key`, then the
/// `POLYMARKET_KEY` environment variable (taken and scrubbed from the environment block). Never
/// argv.
public enum KeyLoader {
    /// Why no key could be loaded. No case carries key material.
    public enum Failure: Error, Equatable, CustomStringConvertible {
        case noKey
        case unreadable(path: String, reason: String)
        case tooOpen(path: String, mode: UInt32)
        case foreignOwner(path: String, owner: UInt32)
        case invalid(source: String, reason: String)

        public var description: String {
            switch self {
            case .noKey:
                return "no key: set $CREDENTIALS_DIRECTORY/polymarket-key (systemd LoadCredential=) or POLYMARKET_KEY"
            case .unreadable(let path, let reason): return "cannot read the key file \(path): \(reason)"
            case .tooOpen(let path, let mode):
                return "the key file \(path) has mode \(String(mode, radix: 8)); it must not be readable by group or others (chmod 600)"
            case .foreignOwner(let path, let owner): return "the key file \(path) belongs to uid \(owner), not to this process's user"
            case .invalid(let source, let reason): return "the key from \(source) is not a valid private key: \(reason)"
            }
        }
    }

    /// The credential file's name inside `$CREDENTIALS_DIRECTORY`.
    public static let credentialName = "polymarket-key"

    /// Loads the key from the credential file if there is one, else from `POLYMARKET_KEY`.
    /// - Throws: ``Failure``.
    public static func load() throws(Failure) -> PrivateKey {
        if let directory = getenv("CREDENTIALS_DIRECTORY").map({ String(cString: $0) }), !directory.isEmpty {
            let path = directory + "/" + credentialName
            if access(path, F_OK) == 0 { return try load(file: path) }
        }
        guard var bytes = EnvironmentSecret.takeBytes("POLYMARKET_KEY") else { throw .noKey }
        defer { PrivateKey.zero(&bytes) }
        do { return try PrivateKey(hexBytes: bytes[...]) } catch { throw .invalid(source: "POLYMARKET_KEY", reason: error.description) }
    }

    /// Loads a key file: it must belong to this user and be closed to group and others.
    /// - Throws: ``Failure``.
    public static func load(file path: String) throws(Failure) -> PrivateKey {
        var info = stat()
        guard stat(path, &info) == 0 else { throw .unreadable(path: path, reason: String(cString: strerror(errno))) }
        guard info.st_uid == geteuid() else { throw .foreignOwner(path: path, owner: info.st_uid) }
        guard info.st_mode & 0o077 == 0 else { throw .tooOpen(path: path, mode: UInt32(info.st_mode & 0o777)) }
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { throw .unreadable(path: path, reason: String(cString: strerror(errno))) }
        defer { close(descriptor) }
        var buffer = [UInt8](repeating: 0, count: 256)
        defer { PrivateKey.zero(&buffer) }
        let count = buffer.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
        guard count > 0 else { throw .unreadable(path: path, reason: count == 0 ? "the file is empty" : String(cString: strerror(errno))) }
        do { return try PrivateKey(hexBytes: buffer[..<count]) } catch { throw .invalid(source: path, reason: error.description) }
    }

    /// Makes the process non-dumpable (no core file, no ptrace by the same user) and sets the core
    /// size limit to 0. Call before loading the key.
    /// - Returns: true when both took effect.
    @discardableResult
    public static func hardenProcess() -> Bool {
        var limit = rlimit(rlim_cur: 0, rlim_max: 0)
        let core = setrlimit(Int32(RLIMIT_CORE.rawValue), &limit) == 0
        let dumpable = polypipe_set_nondumpable() == 0
        return core && dumpable
    }

    /// Whether the process is currently non-dumpable.
    public static var isNonDumpable: Bool { polypipe_get_dumpable() == 0 }
}
