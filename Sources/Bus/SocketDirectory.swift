#if canImport(Glibc)
import Glibc
#endif

/// A directory of `ipc://` socket files that only the intended peers can use.
///
/// Under systemd the runtime directory is `$RUNTIME_DIRECTORY` (e.g. `/run/polypipe`); the local
/// stack uses a fresh temporary directory. Each binding process gets its own subdirectory
/// (`exec/`, `signal/`, …) that it alone can write: connecting to a Unix socket needs search
/// permission on the directory and write permission on the socket file, but creating or
/// replacing one needs write permission on the directory. That matters because a second
/// `bind` on an existing path silently unlinks the first socket and takes its peers over.
///
/// Rules applied here:
/// - the directory is created with `mode` (default 0750: owner writes, the group may connect)
///   and, when it already exists, must belong to this user or to root (systemd creates the
///   shared parent `/run/polypipe` as root for the units' `RuntimeDirectory=polypipe/exec`, …)
///   and must not be writable by group or others;
/// - before binding, an existing socket file is probed: if a process still accepts on it the
///   bind is refused (two exec-procs must never share a path); a stale file is removed;
/// - after binding, the socket file is set to 0660 (owner and group may connect).
public struct SocketDirectory: Sendable {
    public let path: String

    /// Opens (creating if needed) `path` with the rules above.
    public init(_ path: String, mode: mode_t = 0o750) throws(BusError) {
        self.path = path
        if mkdir(path, mode) != 0 && errno != EEXIST {
            throw .socketDirectory(path: path, reason: "cannot create it: \(String(cString: strerror(errno)))")
        }
        var info = stat()
        guard lstat(path, &info) == 0 else {
            throw .socketDirectory(path: path, reason: "cannot stat it: \(String(cString: strerror(errno)))")
        }
        guard info.st_mode & S_IFMT == S_IFDIR else { throw .socketDirectory(path: path, reason: "it is not a directory") }
        guard info.st_uid == getuid() || info.st_uid == 0 else {
            throw .socketDirectory(path: path, reason: "it belongs to uid \(info.st_uid), neither to this process (uid \(getuid())) nor to root")
        }
        guard info.st_mode & (S_IWGRP | S_IWOTH) == 0 else {
            throw .socketDirectory(path: path, reason: String(format: "its mode %o lets others create sockets in it; expected no group/other write", info.st_mode & 0o777))
        }
    }

    /// The `ipc://` endpoint of `name` in this directory.
    public func endpoint(_ name: String) -> String { "ipc://\(path)/\(name)" }

    /// Binds `socket` to `name` here, refusing a path another live process is bound to.
    public func bind(_ socket: ZmqSocket, name: String, mode: mode_t = 0o660) throws(BusError) {
        let file = "\(path)/\(name)"
        if Self.isListening(file) {
            throw .socketDirectory(path: file, reason: "another process is already bound to it (is a second instance running?)")
        }
        unlink(file)  // a stale file left by a crash
        try socket.bind("ipc://\(file)")
        guard chmod(file, mode) == 0 else {
            throw .socketDirectory(path: file, reason: "cannot set its mode: \(String(cString: strerror(errno)))")
        }
    }

    /// Whether a process accepts connections on the Unix socket at `file`.
    public static func isListening(_ file: String) -> Bool {
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(file.utf8)
        guard bytes.count < MemoryLayout.size(ofValue: address.sun_path) else { return false }
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            raw.copyBytes(from: bytes)
            raw[bytes.count] = 0
        }
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        return result == 0
    }
}
