/// The steps of a graceful stop, in the only order polypipe runs them (``ProcessRuntime/shutdown(_:)``).
///
/// The order is the type's, not each process's: whatever a process registers, intake stops
/// before in-flight work drains, open orders are cancelled before the heartbeats that keep
/// the venue's dead-man switch quiet stop, and nothing is flushed while a worker might still
/// write. A process leaves out the phases it has nothing for.
public enum ShutdownPhase: Int, CaseIterable, Comparable, Sendable, CustomStringConvertible {
    /// No new work is taken: systemd hears `STOPPING=1`, actions and requests stop being read.
    case stopIntake
    /// Work already accepted finishes (exec-proc: orders handed to the senders get their answer).
    case drainInFlight
    /// What should not outlive the process is withdrawn (exec-proc: cancel-all at the venue).
    case cancel
    /// The venue heartbeat and every other ``BackgroundWorker`` are stopped and joined.
    case stopHeartbeats
    /// Last words: a final status on the bus, counters in the log.
    case flush

    public static func < (lhs: ShutdownPhase, rhs: ShutdownPhase) -> Bool { lhs.rawValue < rhs.rawValue }

    /// The phase as logged (`phase` metadata).
    public var description: String {
        switch self {
        case .stopIntake: "stop intake"
        case .drainInFlight: "drain in-flight"
        case .cancel: "cancel"
        case .stopHeartbeats: "stop heartbeats"
        case .flush: "flush"
        }
    }
}
