import Bus

/// Turns exec-proc's status (once a second, on its events socket) into operator alerts: a
/// halt with its cause, reduce-only, a resume, a venue-heartbeat lapse and its return, and the
/// signer's rate limit biting (a venue warning, or orders refused as stale for want of a token).
/// recon-proc owns one and feeds it every status it reads. A pure value.
///
/// The first status only sets the baseline, except a halt already in force, which is reported
/// at once (a restarted recon-proc still tells the operator). The heartbeat's first reading is
/// a baseline: exec-proc reports it lapsed until its first beat.
public struct ExecWatch: Sendable {
    private var state: Polypipe_Bus_V1_TradingState?
    private var heartbeatOk: Bool?
    /// A lapse was reported and has not come back yet.
    private var lapseReported = false
    /// The rate-limit totals of the last status (nil before the first: a baseline).
    private var rateLimit: (stale: UInt64, warnings: UInt64)?

    public init() {}

    public mutating func observe(_ status: Polypipe_Bus_V1_ExecStatus, atMillis: Int64) -> [OperatorAlert] {
        var alerts: [OperatorAlert] = []
        let reason = status.stateReason.isEmpty ? "no reason given" : status.stateReason
        if status.state != state {
            switch status.state {
            case .halted:
                alerts.append(OperatorAlert(kind: .execHalted, subject: "exec-proc", message: "exec-proc halted: \(reason)", atMillis: atMillis))
            case .reducing where state != nil:
                alerts.append(OperatorAlert(kind: .execReduceOnly, subject: "exec-proc", message: "exec-proc is reduce-only: \(reason)", atMillis: atMillis))
            case .running where state == .halted || state == .reducing:
                alerts.append(OperatorAlert(kind: .execResumed, subject: "exec-proc", message: "exec-proc is trading again", atMillis: atMillis))
            default:
                break
            }
            state = status.state
        }
        if status.venueHeartbeatOk != heartbeatOk {
            if !status.venueHeartbeatOk && heartbeatOk == true {
                lapseReported = true
                alerts.append(OperatorAlert(kind: .heartbeatLapsed, subject: status.venueURL,
                                            message: "the venue heartbeat of exec-proc lapsed (\(status.venueURL)): the venue may cancel its orders",
                                            atMillis: atMillis))
            } else if status.venueHeartbeatOk && lapseReported {
                lapseReported = false
                alerts.append(OperatorAlert(kind: .heartbeatRestored, subject: status.venueURL,
                                            message: "the venue heartbeat of exec-proc is back (\(status.venueURL))", atMillis: atMillis))
            }
            heartbeatOk = status.venueHeartbeatOk
        }
        if let previous = rateLimit, !status.rateLimitTier.isEmpty {
            if status.rateLimitWarnings > previous.warnings {
                alerts.append(OperatorAlert(kind: .rateLimited, subject: "signer",
                                            message: "the venue warned that the signer is near its rate limit (tier \(status.rateLimitTier), \(status.rateLimitOrderTokens) of \(status.rateLimitOrderBurst) order tokens left)",
                                            atMillis: atMillis))
            } else if status.rateLimitStale > previous.stale {
                alerts.append(OperatorAlert(kind: .rateLimited, subject: "signer",
                                            message: "\(status.rateLimitStale - previous.stale) order(s) not sent: the signer's rate limit (tier \(status.rateLimitTier)) had no token before their actions expired",
                                            atMillis: atMillis))
            }
        }
        rateLimit = (status.rateLimitStale, status.rateLimitWarnings)
        return alerts
    }
}
