#if canImport(Glibc)
import Glibc
#endif

/// A datagram socket to journald (`/run/systemd/journal/socket` unless told otherwise); one
/// per process, shared by every ``JournalLogHandler``.
public final class JournalSocket: Sendable {
    /// The journal's own socket.
    public static let defaultPath = "/run/systemd/journal/socket"
    private let fd: Int32
    private let path: String

    public init(path: String = JournalSocket.defaultPath) {
        self.path = path
        fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
    }

    deinit { if fd >= 0 { close(fd) } }

    /// Sends one entry; false when it could not be (the caller falls back to stderr).
    public func send(_ payload: [UInt8]) -> Bool {
        guard fd >= 0 else { return false }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        guard bytes.count < MemoryLayout.size(ofValue: address.sun_path) else { return false }
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            raw.copyBytes(from: bytes)
            raw[bytes.count] = 0
        }
        let sent = withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { socketAddress in
                payload.withUnsafeBytes { sendto(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL), socketAddress, socklen_t(MemoryLayout<sockaddr_un>.size)) }
            }
        }
        return sent == payload.count
    }

    /// Whether stderr is connected to the journal: systemd sets `$JOURNAL_STREAM` to
    /// "device:inode" of the stream it gave the service (see systemd.exec(5)).
    public static func stderrIsJournal(environment: [String: String]) -> Bool {
        guard let stream = environment["JOURNAL_STREAM"] else { return false }
        var info = stat()
        guard fstat(STDERR_FILENO, &info) == 0 else { return false }
        return stream == "\(info.st_dev):\(info.st_ino)"
    }
}
