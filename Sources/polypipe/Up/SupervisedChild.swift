import PolypipeRuntime

/// One child of the stack as the ``Supervisor`` tracks it: its spec, its current process (if
/// any), where it is in its life, and the last lines it printed (for error messages).
///
/// Only the supervisor's thread touches it.
final class SupervisedChild {
    /// Where the child is in its life.
    enum State: Equatable {
        /// Not started yet (a later child waiting for an earlier one to be ready).
        case idle
        /// Spawned, its readiness line not seen yet; it must appear before `deadline`.
        case starting(deadline: ContinuousClock.Instant)
        /// Announced readiness.
        case ready
        /// Failed; will be spawned again at `at`.
        case restartPending(at: ContinuousClock.Instant)
        /// Sent SIGTERM (while the stack stops); SIGKILL follows at `killAt`.
        case stopping(killAt: ContinuousClock.Instant, killed: Bool)
        /// Gone for good: exited, stopped, or never to be restarted (nil: it was not running).
        case stopped(ExitStatus?)
    }

    let spec: ChildSpec
    /// Absolute path of the executable.
    let executable: String
    var state: State = .idle
    var process: SpawnedProcess?
    var history = RestartHistory()
    var stdoutLines = LineBuffer()
    var stderrLines = LineBuffer()
    /// The last lines of output (both streams), oldest first.
    private(set) var tail: [String] = []
    static let tailLength = 10

    var name: String { spec.name }

    init(spec: ChildSpec, executable: String) {
        self.spec = spec
        self.executable = executable
    }

    /// Whether a process of this child is alive (spawned and not reaped).
    var isRunning: Bool { process != nil }

    func remember(_ line: String) {
        tail.append(line)
        if tail.count > Self.tailLength { tail.removeFirst(tail.count - Self.tailLength) }
    }

    /// The last lines, quoted and joined on one line (for a log line's metadata).
    var tailSummary: String {
        tail.isEmpty ? "(it printed nothing)" : tail.map { "\"\($0)\"" }.joined(separator: " | ")
    }

    /// The last lines, indented, one per line (for the final error message).
    var tailBlock: String {
        tail.isEmpty ? "  (it printed nothing)" : tail.map { "  [\(name)] \($0)" }.joined(separator: "\n")
    }
}
