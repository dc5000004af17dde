#if canImport(Glibc)
import Glibc
#endif
import Synchronization

/// The systemd notification protocol (`sd_notify(3)`), without libsystemd: a unit with
/// `Type=notify` learns readiness from `READY=1`, and with `WatchdogSec=` expects `WATCHDOG=1`
/// at least every `$WATCHDOG_USEC` — fed from each process's main loop, so a hung loop gets the
/// process restarted. Outside systemd (`$NOTIFY_SOCKET` unset) every call does nothing.
///
/// Datagrams go to `$NOTIFY_SOCKET`: a path, or a Linux abstract socket when it starts with `@`.
/// Thread safety: every member may be called from any thread (the socket is only read, the
/// last watchdog time is atomic). Processes use it through ``ProcessRuntime``.
public final class SystemdNotifier: Sendable {
    private let socketPath: String?
    private let fd: Int32
    /// How often to send `WATCHDOG=1` (half of `$WATCHDOG_USEC`); nil when no watchdog is set.
    public let watchdogIntervalMillis: Int64?
    private let lastWatchdogMillis = Atomic<Int64>(0)

    /// Reads `$NOTIFY_SOCKET`, `$WATCHDOG_USEC` and `$WATCHDOG_PID` (a watchdog meant for another
    /// process is ignored).
    public init(environment: [String: String] = SystemdNotifier.processEnvironment()) {
        let path = environment["NOTIFY_SOCKET"].flatMap { $0.isEmpty ? nil : $0 }
        socketPath = path
        fd = path == nil ? -1 : socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        let forUs = environment["WATCHDOG_PID"].map { $0 == String(getpid()) } ?? true
        if forUs, let usec = environment["WATCHDOG_USEC"].flatMap(Int64.init), usec > 0 {
            watchdogIntervalMillis = max(1, usec / 2_000)
        } else {
            watchdogIntervalMillis = nil
        }
    }

    deinit { if fd >= 0 { close(fd) } }

    /// Whether a supervisor listens (`$NOTIFY_SOCKET` was set and a socket could be made).
    public var isActive: Bool { fd >= 0 }

    /// `READY=1` with a status line.
    public func ready(status: String = "ready") { send("READY=1\nSTATUS=\(status)") }

    /// `STOPPING=1`: the stop began (systemd then waits for the exit, not a restart).
    public func stopping() { send("STOPPING=1") }

    public func status(_ text: String) { send("STATUS=\(text)") }

    /// Sends `WATCHDOG=1` when half the watchdog period has passed since the last one. Call it
    /// from the main loop (every iteration is fine).
    public func watchdogIfDue(nowMillis: Int64) {
        guard let interval = watchdogIntervalMillis, nowMillis - lastWatchdogMillis.load(ordering: .relaxed) >= interval else { return }
        lastWatchdogMillis.store(nowMillis, ordering: .relaxed)
        send("WATCHDOG=1")
    }

    /// For a process whose work runs as Swift concurrency tasks (signal-proc): sends `WATCHDOG=1`
    /// every half watchdog period until the calling task is cancelled; returns at once when no
    /// watchdog is set. What this proves to systemd is that the process runs and its task pool
    /// still schedules work: a stopped process, or a pool whose threads are all stuck, stops the
    /// pings and gets the unit restarted.
    public func feedWatchdogUntilCancelled() async {
        guard let interval = watchdogIntervalMillis else { return }
        while !Task.isCancelled {
            send("WATCHDOG=1")
            try? await Task.sleep(for: .milliseconds(interval))
        }
    }

    /// One datagram; failures are ignored (systemd's own sd_notify is best effort too).
    @discardableResult
    public func send(_ text: String) -> Bool {
        guard fd >= 0, let socketPath else { return false }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        var bytes = Array(socketPath.utf8)
        let abstract = bytes.first == UInt8(ascii: "@")
        if abstract { bytes[0] = 0 }
        let capacity = MemoryLayout.size(ofValue: address.sun_path)
        guard bytes.count < capacity else { return false }
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            raw.copyBytes(from: bytes)
            if !abstract { raw[bytes.count] = 0 }
        }
        let length = socklen_t(MemoryLayout<sa_family_t>.size + bytes.count + (abstract ? 0 : 1))
        let payload = Array(text.utf8)
        let sent = withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { socketAddress in
                payload.withUnsafeBytes { sendto(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL), socketAddress, length) }
            }
        }
        return sent == payload.count
    }

    /// The process environment as a dictionary (the default source).
    public static func processEnvironment() -> [String: String] {
        var result: [String: String] = [:]
        var cursor = environ
        while let entry = cursor.pointee {
            let text = String(cString: entry)
            if let equals = text.firstIndex(of: "=") { result[String(text[..<equals])] = String(text[text.index(after: equals)...]) }
            cursor += 1
        }
        return result
    }
}
