import Logging
import Synchronization
import PolypipeRuntime

/// A stop request a test makes by hand, and the ``ProcessRuntime`` that obeys it: no signal
/// handlers, no systemd, and a ready line that is counted instead of printed.
final class ManualStop: Sendable {
    private let flag = Atomic<Bool>(false)
    private let readies = Atomic<Int>(0)

    /// What SIGTERM does in a process.
    func request() { flag.store(true, ordering: .relaxed) }

    /// How many times the runtime's ready line was written.
    var readyCount: Int { readies.load(ordering: .relaxed) }

    /// The stop as a loop sees it (no file descriptor: checked once per tick).
    var source: StopSource { StopSource { [self] in flag.load(ordering: .relaxed) } }

    func runtime(name: String = "test", logger: Logger = Logger(label: "test")) -> ProcessRuntime {
        ProcessRuntime(name: name, logger: logger, stop: source,
                       notifier: SystemdNotifier(environment: [:]), readyLine: { [self] in readies.add(1, ordering: .relaxed) })
    }
}
