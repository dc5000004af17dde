/// Why a child process could not be started or managed. Every case names the failing call and
/// its errno text (the swift-nio `IOError` pattern); none ever carries environment values.
public enum ProcessError: Error, Equatable, CustomStringConvertible {
    /// The executable is missing or not executable.
    case notExecutable(path: String, reason: String)
    /// A system call failed: which one, and `strerror(errno)`.
    case system(function: String, errno: Int32, message: String)

    public var description: String {
        switch self {
        case .notExecutable(let path, let reason): return "cannot run \(path): \(reason)"
        case .system(let function, let errno, let message): return "\(function) failed: \(message) (errno \(errno))"
        }
    }
}
