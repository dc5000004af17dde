import PolypipeCore

/// Something an operator must hear about that is not a reconciliation finding: exec-proc
/// halted (and why), the venue heartbeat lapsed or came back, a process restarted, the signer
/// is being held back by the venue's rate limit. Sent through the same webhook as alarms
/// (``AlarmWebhook``), throttled by ``AlertThrottle``.
///
/// ```json
/// {"text": "[CRITICAL] exec-proc halted: recon-proc: ghost_fill 0x…: …",
///  "alert": {"kind": "exec_halted", "severity": "critical", "subject": "exec-proc",
///            "message": "…", "at_ms": 1796661600000, "source": "recon-proc"}}
/// ```
public struct OperatorAlert: Sendable, Hashable {
    public enum Kind: String, Sendable, Hashable, CaseIterable {
        case execHalted = "exec_halted"
        case execReduceOnly = "exec_reduce_only"
        case execResumed = "exec_resumed"
        case heartbeatLapsed = "venue_heartbeat_lapsed"
        case heartbeatRestored = "venue_heartbeat_restored"
        case processRestarted = "process_restarted"
        case processFailed = "process_failed"
        case rateLimited = "rate_limited"

        public var severity: Severity {
            switch self {
            case .execHalted, .heartbeatLapsed, .processFailed: return .critical
            case .execReduceOnly, .processRestarted, .rateLimited: return .warning
            case .execResumed, .heartbeatRestored: return .info
            }
        }
    }

    public var kind: Kind
    /// What it is about (a process, a unit): with ``kind``, what de-duplication compares.
    public var subject: String
    /// One sentence for a human.
    public var message: String
    public var atMillis: Int64

    public init(kind: Kind, subject: String, message: String, atMillis: Int64) {
        self.kind = kind
        self.subject = subject
        self.message = message
        self.atMillis = atMillis
    }

    /// The webhook body (`suppressed`: alerts the throttle held back since the last one sent).
    public func body(source: String, chatID: String?, suppressed: Int = 0) -> String {
        let tail = suppressed > 0 ? " (\(suppressed) more alert\(suppressed == 1 ? "" : "s") suppressed)" : ""
        var members: [(key: String, value: JSONValue)] = [
            ("text", .string("[\(kind.severity.rawValue.uppercased())] \(message)\(tail)")),
        ]
        if let chatID { members.append(("chat_id", .string(chatID))) }
        members.append(("alert", .object([
            ("kind", .string(kind.rawValue)), ("severity", .string(kind.severity.rawValue)), ("subject", .string(subject)),
            ("message", .string(message)), ("at_ms", .number(String(atMillis))), ("source", .string(source)),
            ("suppressed", .number(String(suppressed))),
        ])))
        return JSONWriter.serialize(.object(members))
    }
}
