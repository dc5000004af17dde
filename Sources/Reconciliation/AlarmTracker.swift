/// Turns each cycle's findings into alarm episodes (test matrix REC-10): an alarm is raised
/// once when a finding first appears, stays active while it recurs — however long, whatever
/// its numbers do — and is cleared once when it has been absent for ``clearAfterCycles``
/// consecutive cycles. One raise and one clear per episode, never one per cycle.
///
/// Episodes are keyed by ``Finding/alarmID`` (kind and subject). A value type: recon-proc
/// owns one and feeds it every cycle.
public struct AlarmTracker: Sendable {
    /// An active alarm.
    public struct Alarm: Sendable, Hashable {
        /// The latest finding of the episode.
        public var finding: Finding
        public let raisedAtMillis: Int64
        public var lastSeenMillis: Int64
    }

    /// A change of alarm state, to log, publish and send to a webhook.
    public enum Transition: Sendable, Hashable {
        case raised(Finding, atMillis: Int64)
        /// The last finding of the episode and how long it lasted (first raise to this clear).
        case cleared(Finding, atMillis: Int64, durationMillis: Int64)

        public var finding: Finding {
            switch self {
            case .raised(let finding, _), .cleared(let finding, _, _): return finding
            }
        }
    }

    /// Cycles a finding must be absent before its alarm clears (1: the first clean cycle
    /// clears). More damps an alarm that flickers at a threshold.
    public let clearAfterCycles: Int
    public private(set) var active: [String: Alarm] = [:]
    private var absentCycles: [String: Int] = [:]

    public init(clearAfterCycles: Int = 1) {
        self.clearAfterCycles = max(1, clearAfterCycles)
    }

    /// Active findings, by alarm id.
    public var activeFindings: [Finding] { active.keys.sorted().compactMap { active[$0]?.finding } }

    /// Feeds one cycle's findings.
    /// - Returns: the raises and clears this cycle caused (empty while nothing changes).
    public mutating func observe(_ findings: [Finding], nowMillis: Int64) -> [Transition] {
        var transitions: [Transition] = []
        var present: Set<String> = []
        for finding in findings {
            let id = finding.alarmID
            guard present.insert(id).inserted else { continue }
            absentCycles[id] = nil
            if var alarm = active[id] {
                alarm.finding = finding
                alarm.lastSeenMillis = nowMillis
                active[id] = alarm
            } else {
                active[id] = Alarm(finding: finding, raisedAtMillis: nowMillis, lastSeenMillis: nowMillis)
                transitions.append(.raised(finding, atMillis: nowMillis))
            }
        }
        for id in active.keys.sorted() where !present.contains(id) {
            let absent = (absentCycles[id] ?? 0) + 1
            guard absent >= clearAfterCycles, let alarm = active[id] else { absentCycles[id] = absent; continue }
            active[id] = nil
            absentCycles[id] = nil
            transitions.append(.cleared(alarm.finding, atMillis: nowMillis, durationMillis: nowMillis - alarm.raisedAtMillis))
        }
        return transitions
    }
}
