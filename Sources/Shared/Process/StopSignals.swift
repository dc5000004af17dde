import Foundation

/// How each long-running polypipe process learns it should stop.
public enum StopSignals {
    /// Runs `handler` on SIGTERM and SIGINT, and unblocks both: a parent may have started the
    /// process with them blocked (the mask is inherited through fork/exec and Foundation's
    /// `Process` does not reset it), and then a SIGTERM would never arrive.
    ///
    /// `handler` runs in signal context: it should only store to an atomic flag.
    public static func install(_ handler: @convention(c) (Int32) -> Void) {
        var stopSignals = sigset_t()
        sigemptyset(&stopSignals)
        for number in [SIGTERM, SIGINT] {
            sigaddset(&stopSignals, number)
            signal(number, handler)
        }
        pthread_sigmask(SIG_UNBLOCK, &stopSignals, nil)
    }
}
