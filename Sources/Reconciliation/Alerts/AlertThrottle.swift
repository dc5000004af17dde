/// Decides which operator alerts go out: the same alert is not repeated, and a storm is cut to
/// a few messages that say how many were held back. A pure value; the sender owns one.
///
/// Rules:
/// - De-duplication: an alert with the same kind and subject as one sent less than
///   ``repeatAfterMillis`` ago is suppressed (a flapping heartbeat says "lapsed" once, not
///   every second).
/// - Rate limit: at most ``perMinute`` alerts go out in any 60 s; the rest are suppressed.
/// - Nothing is lost silently: the next alert that goes out carries the count suppressed
///   since the previous one.
public struct AlertThrottle: Sendable {
    public let repeatAfterMillis: Int64
    public let perMinute: Int
    private var lastSent: [String: Int64] = [:]
    private var sentTimes: [Int64] = []
    private var suppressed = 0

    public init(repeatAfterMillis: Int64 = 600_000, perMinute: Int = 10) {
        self.repeatAfterMillis = repeatAfterMillis
        self.perMinute = max(1, perMinute)
    }

    /// - Returns: nil when `alert` is suppressed; else how many were suppressed before it.
    public mutating func admit(_ alert: OperatorAlert) -> Int? {
        let key = alert.kind.rawValue + "|" + alert.subject
        let now = alert.atMillis
        sentTimes.removeAll { now - $0 >= 60_000 }
        if let last = lastSent[key], now - last < repeatAfterMillis {
            suppressed += 1
            return nil
        }
        guard sentTimes.count < perMinute else {
            suppressed += 1
            return nil
        }
        lastSent[key] = now
        sentTimes.append(now)
        defer { suppressed = 0 }
        return suppressed
    }
}
