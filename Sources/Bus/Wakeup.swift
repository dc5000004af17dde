#if canImport(Glibc)
import Glibc
#endif

/// A file descriptor another thread can make readable, so a thread blocked in
/// ``ZmqSocket/poll(_:fileDescriptors:timeoutMilliseconds:)`` wakes for work that did not arrive
/// on a socket (for example a finished HTTP request). A non-blocking pipe: ``signal()`` writes a
/// byte (a full pipe already means "wake up", so it never blocks), ``drain()`` empties it.
public final class Wakeup: Sendable {
    /// Poll this for readability.
    public let fileDescriptor: Int32
    private let writeEnd: Int32

    /// - Throws: ``BusError/system(function:errno:)`` when the pipe cannot be made.
    public init() throws(BusError) {
        var ends: [Int32] = [0, 0]
        guard pipe(&ends) == 0 else { throw .system(function: "pipe", errno: errno) }
        for end in ends {
            guard fcntl(end, F_SETFL, fcntl(end, F_GETFL) | O_NONBLOCK) == 0, fcntl(end, F_SETFD, FD_CLOEXEC) == 0 else {
                let code = errno
                close(ends[0])
                close(ends[1])
                throw .system(function: "fcntl", errno: code)
            }
        }
        fileDescriptor = ends[0]
        writeEnd = ends[1]
    }

    deinit {
        close(fileDescriptor)
        close(writeEnd)
    }

    /// Makes ``fileDescriptor`` readable. Safe from any thread.
    public func signal() {
        var byte: UInt8 = 1
        _ = write(writeEnd, &byte, 1)
    }

    /// Consumes every pending signal (call before handling the work, so none is missed).
    public func drain() {
        var buffer = [UInt8](repeating: 0, count: 64)
        while read(fileDescriptor, &buffer, buffer.count) > 0 {}
    }
}
