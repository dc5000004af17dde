#if canImport(Glibc)
import Glibc
#endif

/// Signals a single-threaded supervisor takes as events instead of letting them kill it.
///
/// The signals are *blocked* (so they stay pending) and collected with a zero-timeout
/// `sigtimedwait` from the supervisor's loop: no signal handler, no global state, no race
/// between "check" and "wait" (the loop's `poll` never sleeps longer than its tick, so a pending
/// signal is seen within one tick). `signalfd` would avoid the tick but is not exposed by the
/// Glibc module.
///
/// - Important: blocking applies to the calling thread (and threads it creates later). Create
///   this on the main thread before any other thread exists; children get an empty mask back
///   through `posix_spawn` (see ``SpawnedProcess``).
public struct PendingSignals {
    private var set = sigset_t()

    /// Blocks `signals` for this thread and ignores SIGPIPE (a closed stdout must not kill the
    /// supervisor mid-shutdown).
    public init(_ signals: [Int32] = [SIGINT, SIGTERM, SIGHUP]) {
        sigemptyset(&set)
        for signal in signals { sigaddset(&set, signal) }
        pthread_sigmask(SIG_BLOCK, &set, nil)
        Glibc.signal(SIGPIPE, SIG_IGN)
    }

    /// Takes every pending signal out of the queue, without waiting.
    public mutating func take() -> [Int32] {
        var taken: [Int32] = []
        var zero = timespec(tv_sec: 0, tv_nsec: 0)
        while true {
            var info = siginfo_t()
            let signal = sigtimedwait(&set, &info, &zero)
            if signal > 0 { taken.append(signal); continue }
            if signal < 0 && errno == EINTR { continue }
            return taken
        }
    }
}
