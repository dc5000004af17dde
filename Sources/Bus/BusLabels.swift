/// The words for the schema's enums that metrics labels, the dashboard and logs share — one
/// place, so a label never reads one way on `/metrics` and another on the page.
extension Polypipe_Bus_V1_Outcome {
    /// `accepted`, `rejected`, `unknown`, `refused`, `dry_run`, `canceled`, `duplicate`.
    public var label: String {
        switch self {
        case .accepted: return "accepted"
        case .rejected: return "rejected"
        case .unknown: return "unknown"
        case .refused: return "refused"
        case .dryRun: return "dry_run"
        case .canceled: return "canceled"
        case .duplicate: return "duplicate"
        default: return "unspecified"
        }
    }
}

extension Polypipe_Bus_V1_CancelOutcome {
    /// `done`, `partial`, `failed`, `unknown`, `refused`, `duplicate`.
    public var label: String {
        switch self {
        case .cancelDone: return "done"
        case .cancelPartial: return "partial"
        case .cancelFailed: return "failed"
        case .cancelUnknown: return "unknown"
        case .cancelRefused: return "refused"
        case .cancelDuplicate: return "duplicate"
        default: return "unspecified"
        }
    }
}

extension Polypipe_Bus_V1_TradingState {
    /// `running`, `reduce-only`, `halted`.
    public var label: String {
        switch self {
        case .running: return "running"
        case .reducing: return "reduce-only"
        case .halted: return "halted"
        default: return "unknown"
        }
    }
}

extension Polypipe_Bus_V1_Settlement {
    /// The venue's words: `MATCHED`, `MINED`, `CONFIRMED`, `RETRYING`, `FAILED`.
    public var label: String {
        switch self {
        case .matched: return "MATCHED"
        case .mined: return "MINED"
        case .confirmed: return "CONFIRMED"
        case .retrying: return "RETRYING"
        case .failed: return "FAILED"
        default: return "UNKNOWN"
        }
    }
}

extension Polypipe_Bus_V1_OrderLifecycle {
    /// fill-proc's words: `PENDING`, `SUBMITTED`, `OPEN`, `MATCHED`, `FILLED`, `CANCELLED`, `REJECTED`, `EXPIRED`.
    public var label: String {
        switch self {
        case .pending: return "PENDING"
        case .submitted: return "SUBMITTED"
        case .open: return "OPEN"
        case .matched: return "MATCHED"
        case .filled: return "FILLED"
        case .cancelled: return "CANCELLED"
        case .rejected: return "REJECTED"
        case .expired: return "EXPIRED"
        default: return "UNKNOWN"
        }
    }
}

extension Polypipe_Bus_V1_Severity {
    /// `critical`, `warning`, `info`.
    public var label: String {
        switch self {
        case .critical: return "critical"
        case .warning: return "warning"
        default: return "info"
        }
    }
}
