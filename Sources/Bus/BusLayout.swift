/// Where every socket of the stack lives, and the topics on them: one place, so a process and
/// its peers can never disagree on a path.
///
/// ```
/// <runtime>/exec/actions.sock    exec-proc PULL   <- signal-proc PUSH   (topic "action")
/// <runtime>/exec/events.sock     exec-proc PUB    -> subscribers        ("order", "status")
/// <runtime>/exec/snapshot.sock   exec-proc ROUTER <- subscribers REQ    (SnapshotRequest)
/// <runtime>/control/control.sock exec-proc ROUTER <- polypipe, recon-proc (ControlRequest)
/// <runtime>/signal/signals.sock  signal-proc PUB  -> recon-proc etc.    ("action")
/// <runtime>/signal/external.sock signal-proc PULL <- external models    ("action")
/// <runtime>/fill/events.sock     fill-proc PUB    -> recon-proc etc.    ("fill", "position")
/// <runtime>/fill/snapshot.sock   fill-proc ROUTER <- subscribers, stats (SnapshotRequest -> FillState)
/// <runtime>/recon/events.sock    recon-proc PUB   -> exec-proc, ops     ("alarm", "recon")
/// <runtime>/recon/snapshot.sock  recon-proc ROUTER <- polypipe          (SnapshotRequest -> ReconReport)
/// ```
///
/// `exec/`, `control/`, `signal/`, `fill/` and `recon/` are each writable by their own process
/// alone (``SocketDirectory``). The control socket has a directory of its own so that a
/// deployment can open it to fewer peers than the rest of exec-proc's sockets: under systemd
/// `control/` belongs to the group `polypipe-control` (recon-proc and operators), so a strategy
/// process can push actions but cannot resume, halt or cancel.
public struct BusLayout: Sendable, Hashable {
    public let runtimeDirectory: String

    public init(runtimeDirectory: String) {
        self.runtimeDirectory = runtimeDirectory.hasSuffix("/") ? String(runtimeDirectory.dropLast()) : runtimeDirectory
    }

    public var execDirectory: String { runtimeDirectory + "/exec" }
    /// exec-proc's control socket alone (see above).
    public var controlDirectory: String { runtimeDirectory + "/control" }
    public var signalDirectory: String { runtimeDirectory + "/signal" }
    public var fillDirectory: String { runtimeDirectory + "/fill" }
    public var reconDirectory: String { runtimeDirectory + "/recon" }

    public var actions: String { "ipc://\(execDirectory)/actions.sock" }
    public var events: String { "ipc://\(execDirectory)/events.sock" }
    public var control: String { "ipc://\(controlDirectory)/control.sock" }
    public var snapshot: String { "ipc://\(execDirectory)/snapshot.sock" }
    public var signals: String { "ipc://\(signalDirectory)/signals.sock" }
    public var external: String { "ipc://\(signalDirectory)/external.sock" }
    public var fillEvents: String { "ipc://\(fillDirectory)/events.sock" }
    public var fillSnapshot: String { "ipc://\(fillDirectory)/snapshot.sock" }
    public var reconEvents: String { "ipc://\(reconDirectory)/events.sock" }
    public var reconSnapshot: String { "ipc://\(reconDirectory)/snapshot.sock" }

    /// Topics (the first frame of every message).
    public enum Topic {
        public static let action = "action"
        /// ``Polypipe_Bus_V1_CancelRequest`` on the actions socket.
        public static let cancel = "cancel"
        /// ``Polypipe_Bus_V1_ReplaceRequest`` on the actions socket.
        public static let replace = "replace"
        /// ``Polypipe_Bus_V1_ActionBatch`` on the actions socket.
        public static let batch = "batch"
        /// ``Polypipe_Bus_V1_CancelEvent`` on exec-proc's events socket.
        public static let canceled = "canceled"
        public static let order = "order"
        public static let status = "status"
        public static let fill = "fill"
        public static let position = "position"
        public static let alarm = "alarm"
        public static let recon = "recon"
    }
}
