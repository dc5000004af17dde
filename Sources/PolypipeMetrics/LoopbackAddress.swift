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
