/// Why `polypipe up` could not run the stack, or why the stack stopped. Each description is
/// a sentence an operator can act on; none contains key material.
enum UpError: Error, CustomStringConvertible {
    /// No usable key for a mode that needs the operator's own key, or an unreadable one.
    case key(String)
    /// The runtime directory cannot be created or is unsafe to use.
    case runtimeDirectory(path: String, reason: String)
    /// A child's executable is missing.
    case executable(child: String, path: String)
    /// The stack stopped because of a failure (a child not ready, failing too often, …).
    case stackFailed(String)
    /// Every child stopped, but not all of them cleanly (killed, or a non-zero exit while stopping).
    case uncleanStop
    /// recon-proc had active alarms when the run ended (kind and subject of each).
    case unreconciled([String])
    /// `--record-bus` could not create or write its file.
    case busRecording(String)

    var description: String {
        switch self {
        case .key(let reason): return reason
        case .runtimeDirectory(let path, let reason): return "runtime directory \(path): \(reason)"
        case .executable(let child, let path):
            return "no \(child) executable at \(path): build the stack (swift build), pass --bin-dir, or --child-command \(child)=PATH"
        case .stackFailed(let reason): return "the stack stopped: \(reason)"
        case .uncleanStop: return "the stack stopped, but not every child stopped cleanly (see the log above)"
        case .busRecording(let reason): return "--record-bus: \(reason)"
        case .unreconciled(let alarms): return "unexplained discrepancies at the end of the run: \(alarms.joined(separator: "; "))"
        }
    }
}
