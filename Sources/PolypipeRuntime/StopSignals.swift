import Foundation
import Synchronization

/// How each long-running polypipe process learns it should stop: SIGTERM or SIGINT set
/// ``requested`` and make ``fileDescriptor`` readable.
///
/// A poll loop puts ``fileDescriptor`` in its poll set, so a stop wakes it at once instead of at
/// the end of its tick (``PollLoop``); async code waits for it on a ``BackgroundWorker``
/// (``ProcessRuntime/run(until:)``). The handler does only what signal context allows: an
/// atomic store and a `write(2)` to a non-blocking pipe (the self-pipe trick).
///
/// Used through ``ProcessRuntime`` (``StopSource/signals()``); a process has one set of
/// signal handlers, so ``install()`` is process-wide and idempotent.
public enum StopSignals {
    /// Set (once) by SIGTERM or SIGINT after ``install()``.
    public static let requested = Atomic<Bool>(false)

    /// The pipe's ends: read end in the high 32 bits, write end in the low; 0 before ``install()``.
    private static let pipeEnds = Atomic<Int64>(0)

    /// Readable once a stop was requested (and forever after: it is never drained); -1 before
    /// ``install()``.
    public static var fileDescriptor: Int32 {
        let ends = pipeEnds.load(ordering: .acquiring)
        return ends == 0 ? -1 : Int32(truncatingIfNeeded: ends >> 32)
    }

    /// Handles SIGTERM and SIGINT by setting ``requested`` and writing to the pipe, and unblocks
    /// both: a parent may have started the process with them blocked (the mask is inherited
    /// through fork/exec and Foundation's `Process` does not reset it), and then a SIGTERM would
    /// never arrive. Idempotent.
    public static func install() {
        if pipeEnds.load(ordering: .acquiring) == 0 {
            var ends: [Int32] = [0, 0]
            if pipe(&ends) == 0 {
                for end in ends {
                    _ = fcntl(end, F_SETFL, fcntl(end, F_GETFL) | O_NONBLOCK)
                    _ = fcntl(end, F_SETFD, FD_CLOEXEC)
                }
                let packed = Int64(ends[0]) << 32 | Int64(UInt32(bitPattern: ends[1]))
                if !pipeEnds.compareExchange(expected: 0, desired: packed, ordering: .acquiringAndReleasing).exchanged {
                    close(ends[0])
                    close(ends[1])
                }
            }
        }
        var stopSignals = sigset_t()
        sigemptyset(&stopSignals)
        for number in [SIGTERM, SIGINT] {
            sigaddset(&stopSignals, number)
            // Signal context: an atomic store, an atomic load and write(2), nothing else; errno is
            // restored so the interrupted code never sees write's.
            signal(number) { _ in
                let savedErrno = errno
                defer { errno = savedErrno }
                StopSignals.requested.store(true, ordering: .relaxed)
                let ends = StopSignals.pipeEnds.load(ordering: .relaxed)
                if ends != 0 {
                    var byte: UInt8 = 1
                    _ = write(Int32(truncatingIfNeeded: ends & 0xFFFF_FFFF), &byte, 1)
                }
            }
        }
        pthread_sigmask(SIG_UNBLOCK, &stopSignals, nil)
    }
}
