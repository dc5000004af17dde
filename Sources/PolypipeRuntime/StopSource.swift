#if canImport(Glibc)
import Glibc
#endif

/// Where a ``ProcessRuntime`` learns that it should stop: SIGTERM/SIGINT in a process
/// (``signals()``), a flag in a test (``init(fileDescriptor:isRequested:)``).
public struct StopSource: Sendable {
    /// Whether the stop was requested; cheap, called once per loop pass.
    public let isRequested: @Sendable () -> Bool
    /// Readable once the stop was requested, so a poll wakes at once; nil: only
    /// ``isRequested`` tells, checked at least once per loop tick.
    public let fileDescriptor: Int32?

    public init(fileDescriptor: Int32? = nil, isRequested: @escaping @Sendable () -> Bool) {
        self.fileDescriptor = fileDescriptor
        self.isRequested = isRequested
    }

    /// SIGTERM and SIGINT, through ``StopSignals`` (installs its handlers: call it from the
    /// process's `main`, once its options are parsed).
    public static func signals() -> StopSource {
        StopSignals.install()
        let descriptor = StopSignals.fileDescriptor
        return StopSource(fileDescriptor: descriptor >= 0 ? descriptor : nil) { StopSignals.requested.load(ordering: .relaxed) }
    }

    /// Blocks up to `milliseconds` for the stop, waking as soon as it is requested when there is
    /// a ``fileDescriptor``. - Returns: whether the stop was requested.
    public func wait(milliseconds: Int32) -> Bool {
        if isRequested() { return true }
        if let fileDescriptor {
            var item = pollfd(fd: fileDescriptor, events: Int16(POLLIN), revents: 0)
            _ = poll(&item, 1, milliseconds)
        } else {
            usleep(UInt32(max(0, milliseconds)) * 1_000)
        }
        return isRequested()
    }
}
