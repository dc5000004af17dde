#if canImport(Glibc)
import Glibc
#endif

/// Where a process serves `/metrics` (`--metrics-address`) or the dashboard its page
/// (`polypipe dashboard --address`): a loopback address and a port.
///
/// Only loopback is accepted — metrics and the dashboard name markets, sizes and P&L, so they
/// are for this host (a Prometheus on it, an SSH tunnel), never a public interface.
///
/// ```swift
/// let address = try LoopbackAddress("127.0.0.1:9101")   // port 0: any free port
/// ```
public struct LoopbackAddress: Sendable, Hashable, CustomStringConvertible {
    /// `127.0.0.1` (IPv4 loopback only: every process of a stack binds the same family).
    public let host: String
    public let port: UInt16

    public init(host: String = "127.0.0.1", port: UInt16) {
        self.host = host
        self.port = port
    }

    /// Parses `HOST:PORT` (HOST `127.0.0.1` or `localhost`) or a bare `PORT`.
    public init(_ text: String) throws(MetricsError) {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
        let (host, portText): (String, String) = parts.count == 1 ? ("127.0.0.1", parts[0]) : (parts.dropLast().joined(separator: ":"), parts.last ?? "")
        guard let port = UInt16(portText) else { throw .badAddress(text, "the port must be a number from 0 to 65535") }
        switch host {
        case "127.0.0.1", "localhost": self.init(port: port)
        default: throw .badAddress(text, "metrics are served on loopback only (127.0.0.1 or localhost), not \(host)")
        }
    }

    public var description: String { "\(host):\(port)" }
}

extension LoopbackAddress {
    /// A listening TCP socket on this address (close-on-exec, `SO_REUSEADDR`).
    /// - Returns: its descriptor, which the caller closes, and the address bound (the port the
    ///   kernel chose when this one's is 0).
    /// - Throws: ``MetricsError/cannotListen(_:_:)`` naming the address and the reason (a port in use).
    public func listen() throws(MetricsError) -> (descriptor: Int32, bound: LoopbackAddress) {
        func failure() -> MetricsError { .cannotListen(description, String(cString: strerror(errno))) }
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard descriptor >= 0 else { throw failure() }
        var yes: Int32 = 1
        setsockopt(descriptor, SOL_SOCKET, SO_REUSEADDR, &yes, socklen_t(MemoryLayout<Int32>.size))
        var socketAddress = sockaddr_in()
        socketAddress.sin_family = sa_family_t(AF_INET)
        socketAddress.sin_port = port.bigEndian
        socketAddress.sin_addr.s_addr = UInt32(0x7F00_0001).bigEndian  // 127.0.0.1
        let bound = withUnsafePointer(to: &socketAddress) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0, Glibc.listen(descriptor, 16) == 0 else {
            let error = failure()
            close(descriptor)
            throw error
        }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &socketAddress) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(descriptor, $0, &length) }
        }
        return (descriptor, LoopbackAddress(port: UInt16(bigEndian: socketAddress.sin_port)))
    }
}

/// Why metrics cannot be served.
public enum MetricsError: Error, Equatable, CustomStringConvertible {
    case badAddress(String, String)
    case cannotListen(String, String)

    public var description: String {
        switch self {
        case .badAddress(let text, let why): return "address \(text): \(why)"
        case .cannotListen(let address, let why): return "cannot serve metrics on \(address): \(why)"
        }
    }
}
