import Foundation
import Synchronization

/// How each long-running polypipe process learns it should stop: SIGTERM or SIGINT set
/// ``requested``, which the process's main loop checks at least every 100 ms.
public enum StopSignals {
    /// Set (once) by SIGTERM or SIGINT after ``install()``.
    public static let requested = Atomic<Bool>(false)

    /// Handles SIGTERM and SIGINT by setting ``requested``, and unblocks both: a parent may have
    /// started the process with them blocked (the mask is inherited through fork/exec and
    /// Foundation's `Process` does not reset it), and then a SIGTERM would never arrive.
    public static func install() {
        var stopSignals = sigset_t()
        sigemptyset(&stopSignals)
        for number in [SIGTERM, SIGINT] {
            sigaddset(&stopSignals, number)
            // Signal context: an atomic store and nothing else.
            signal(number) { _ in StopSignals.requested.store(true, ordering: .relaxed) }
        }
        pthread_sigmask(SIG_UNBLOCK, &stopSignals, nil)
    }
}
