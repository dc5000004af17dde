import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif
import PolypipeRuntime

/// sd_notify's protocol against a datagram socket standing in for systemd.
@Suite struct SystemdNotifierTests {
    /// A bound AF_UNIX datagram socket (a path, or an abstract name when `abstract`).
    final class Listener {
        let fd: Int32
        let name: String

        init(abstract: Bool) throws {
            fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue), 0)
            let unique = "polypipe-notify-\(UUID().uuidString.prefix(8))"
            name = abstract ? "@" + unique : NSTemporaryDirectory() + unique
            var address = sockaddr_un()
            address.sun_family = sa_family_t(AF_UNIX)
            var bytes = Array(name.utf8)
            if abstract { bytes[0] = 0 }
            withUnsafeMutableBytes(of: &address.sun_path) { $0.copyBytes(from: bytes) }
            let length = socklen_t(MemoryLayout<sa_family_t>.size + bytes.count + (abstract ? 0 : 1))
            let bound = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) } }
            guard bound == 0 else { throw POSIXError(.EADDRINUSE) }
            var timeout = timeval(tv_sec: 2, tv_usec: 0)
            setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        }

        deinit {
            close(fd)
            if !name.hasPrefix("@") { unlink(name) }
        }

        /// The next datagram, or nil after 2 s.
        func receive() -> String? {
            var buffer = [UInt8](repeating: 0, count: 512)
            let count = recv(fd, &buffer, buffer.count, 0)
            return count > 0 ? String(decoding: buffer[0..<count], as: UTF8.self) : nil
        }

        /// Whether a datagram is waiting (without waiting for one).
        var hasMessage: Bool {
            var buffer = [UInt8](repeating: 0, count: 16)
            return recv(fd, &buffer, buffer.count, Int32(MSG_DONTWAIT | MSG_PEEK)) > 0
        }
    }

    @Test(arguments: [false, true])
    func readinessWatchdogAndStoppingReachTheSocket(abstract: Bool) throws {
        let listener = try Listener(abstract: abstract)
        let notifier = SystemdNotifier(environment: ["NOTIFY_SOCKET": listener.name, "WATCHDOG_USEC": "200000"])
        #expect(notifier.isActive && notifier.watchdogIntervalMillis == 100)
        notifier.ready(status: "tracking")
        #expect(listener.receive() == "READY=1\nSTATUS=tracking")
        notifier.watchdogIfDue(nowMillis: 1_000)
        #expect(listener.receive() == "WATCHDOG=1")
        notifier.watchdogIfDue(nowMillis: 1_050)  // half the period has not passed
        #expect(!listener.hasMessage)
        notifier.watchdogIfDue(nowMillis: 1_100)
        #expect(listener.receive() == "WATCHDOG=1")
        notifier.stopping()
        #expect(listener.receive() == "STOPPING=1")
    }

    @Test func outsideSystemdOrWithAnotherProcesssWatchdogNothingIsSent() {
        let idle = SystemdNotifier(environment: [:])
        #expect(!idle.isActive && idle.watchdogIntervalMillis == nil)
        #expect(!idle.send("READY=1"))
        let other = SystemdNotifier(environment: ["NOTIFY_SOCKET": "@x", "WATCHDOG_USEC": "1000000", "WATCHDOG_PID": "1"])
        #expect(other.watchdogIntervalMillis == nil, "a watchdog meant for pid 1 is not ours")
    }
}
