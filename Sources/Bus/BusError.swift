/// Everything that can go wrong on the bus. A malformed or unknown message is an error value
/// that is counted and logged; it never stops a process.
public enum BusError: Error, Equatable, CustomStringConvertible {
    /// A libzmq call failed: the function and `zmq_strerror` of errno.
    case zmq(function: String, errno: Int32, message: String)
    /// A message that does not follow the envelope layout; `reason` names what was wrong.
    case malformed(topic: String, reason: String)
    /// An envelope of a version this build does not read.
    case unsupportedVersion(UInt8)
    /// An endpoint that is neither `ipc://` nor `tcp://`.
    case badEndpoint(String)
    /// A socket directory or file that is missing, foreign, too open, or already bound.
    case socketDirectory(path: String, reason: String)
    /// No answer within the time allowed (request/reply sockets).
    case timeout(endpoint: String, milliseconds: Int32)
    /// A system call the bus needs (e.g. `pipe2` for a ``Wakeup``) failed with `errno`.
    case system(function: String, errno: Int32)

    public var description: String {
        switch self {
        case .zmq(let function, let errno, let message): return "zmq: \(function) failed: \(message) (errno \(errno))"
        case .malformed(let topic, let reason): return "malformed bus message on '\(topic)': \(reason)"
        case .unsupportedVersion(let version): return "bus envelope version \(version) is not supported (this build reads 1)"
        case .badEndpoint(let endpoint): return "bus endpoint \(endpoint) is neither ipc:// nor tcp://"
        case .socketDirectory(let path, let reason): return "socket path \(path): \(reason)"
        case .timeout(let endpoint, let milliseconds): return "no answer from \(endpoint) within \(milliseconds) ms"
        case .system(let function, let errno): return "\(function) failed (errno \(errno))"
        }
    }
}
