import Synchronization

/// Honours a venue's `Retry-After`: after a 429 (or a 503/425 with a retry time) no request is
/// sent until that time has passed; callers get the refusal at once instead.
///
/// Thread safety: the deadline sits behind a mutex; one gate is shared by every copy of a
/// ``ClobClient``.
public final class RetryAfterGate: Sendable {
    private let deadline = Mutex<ContinuousClock.Instant?>(nil)

    public init() {}

    /// Seconds still to wait (rounded up), or nil when requests may go.
    public func remainingSeconds(now: ContinuousClock.Instant = .now) -> Int? {
        deadline.withLock { deadline in
            guard let until = deadline, until > now else { return nil }
            let components = (until - now).components
            return Int(components.seconds) + (components.attoseconds > 0 ? 1 : 0)
        }
    }

    /// Records a venue-imposed pause; a later, longer pause wins.
    public func pause(seconds: Int, now: ContinuousClock.Instant = .now) {
        guard seconds > 0 else { return }
        let until = now.advanced(by: .seconds(seconds))
        deadline.withLock { deadline in
            if deadline == nil || deadline! < until { deadline = until }
        }
    }
}
