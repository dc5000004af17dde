/// How a child process ended, decoded from a `waitpid` status word.
///
/// Linux encodes the status as: low 7 bits = terminating signal (0 when the process exited
/// normally), bits 8–15 = exit code. The C macros (`WIFEXITED`, …) are not imported into
/// Swift, so the decoding lives here, once.
public enum ExitStatus: Sendable, Hashable, CustomStringConvertible {
    /// The process called `exit(code)` (or returned from `main`).
    case exited(Int32)
    /// The process was killed by `signal`.
    case signaled(Int32)

    /// Decodes a raw `waitpid` status (only for a terminated child, not a stopped one).
    public init(waitStatus status: Int32) {
        let signal = status & 0x7F
        self = signal == 0 ? .exited((status >> 8) & 0xFF) : .signaled(signal)
    }

    /// Whether the process stopped with exit code 0.
    public var isSuccess: Bool { self == .exited(0) }

    /// `status 1` or `signal 9 (SIGKILL)`: the short form for log metadata.
    public var description: String {
        switch self {
        case .exited(let code): return "status \(code)"
        case .signaled(let signal): return "signal \(signal) (\(ExitStatus.signalName(signal)))"
        }
    }

    /// `exited with status 1` or `was killed by signal 9 (SIGKILL)`: the phrase for a sentence.
    public var phrase: String {
        switch self {
        case .exited: return "exited with \(description)"
        case .signaled: return "was killed by \(description)"
        }
    }

    /// The conventional name of the signals a supervisor meets; `SIG<number>` otherwise.
    public static func signalName(_ signal: Int32) -> String {
        let names: [Int32: String] = [1: "SIGHUP", 2: "SIGINT", 3: "SIGQUIT", 4: "SIGILL", 6: "SIGABRT", 7: "SIGBUS",
                                      8: "SIGFPE", 9: "SIGKILL", 11: "SIGSEGV", 13: "SIGPIPE", 14: "SIGALRM", 15: "SIGTERM"]
        return names[signal] ?? "SIG\(signal)"
    }
}
