/// When a failed child is started again: systemd's `Restart=on-failure` with `RestartSec` and
/// a start limit (`StartLimitBurst` within `StartLimitIntervalSec`).
///
/// A child that exits with a non-zero status or is killed by a signal is restarted after
/// ``delay``; one that exits with status 0 is not. More than ``limit`` restarts within
/// ``window`` means the failure is not transient: the launcher gives up and stops the stack.
struct RestartPolicy: Sendable, Equatable {
    var limit: Int
    var window: Duration
    var delay: Duration

    /// What to do about one failure.
    enum Decision: Equatable, Sendable {
        /// Restart after ``RestartPolicy/delay``; this is restart number `attempt` within the window.
        case restart(attempt: Int)
        /// The limit is spent.
        case giveUp(restartsInWindow: Int)
    }
}

/// The restarts of one child, to apply ``RestartPolicy`` (a sliding window).
struct RestartHistory: Sendable {
    private(set) var restarts: [ContinuousClock.Instant] = []

    /// Decides about a failure at `now`, and records the restart when there is one.
    mutating func decide(at now: ContinuousClock.Instant, policy: RestartPolicy) -> RestartPolicy.Decision {
        restarts.removeAll { now - $0 >= policy.window }
        guard restarts.count < policy.limit else { return .giveUp(restartsInWindow: restarts.count) }
        restarts.append(now)
        return .restart(attempt: restarts.count)
    }
}
