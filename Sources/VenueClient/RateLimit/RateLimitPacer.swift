import Foundation
import Logging
import Synchronization
import PolypipeCore

/// exec-proc's model of its signer's two venue buckets (spec §6.1, §9): it paces orders and
/// cancels so the venue never has to refuse them, and corrects itself from what the venue
/// reports on every answer.
///
/// - Orders and cancels draw on separate ``TokenBucket``s sized by the ``RateLimitTier``, so an
///   empty order bucket never delays a cancel (test matrix RL-07). Heartbeats and reads draw on
///   neither.
/// - A request waits for its tokens (``acquire(_:cost:notAfterMillis:)``), but never past its
///   deadline: an order whose action would expire first is refused as stale instead of being
///   sent late. A cost above the burst (a batch) can never pass and is refused at once (RL-06).
/// - Answers correct the model (``observe(_:bucket:)``): `Poly-RateLimit-Tier` resizes both
///   buckets (RL-05); `Poly-RateLimit-Remaining` lowers the bucket the request drew on (never
///   raises it: a header answering an earlier request is stale); a negative `Remaining` is a
///   debt, and the bucket admits nothing until `Poly-RateLimit-Reset` (RL-03), at most
///   ``maximumBlockMillis`` ahead. `Poly-RateLimit-Warning: true` is logged once per episode
///   (RL-04): until an answer to an order or cancel comes back without it.
/// - A margin of ``marginTokens`` is left in each bucket: the venue counts a request when it
///   arrives, this model when it leaves, and a request that waits longer on the way (a new
///   connection's first, a busy host) would otherwise let the next one arrive a token early.
///   Each margin token covers one refill interval of such difference (25 ms for Standard-tier
///   orders). A request as large as the burst waits for a full bucket instead.
/// - The venue's `Retry-After` (``RetryAfterGate``) stays the backstop for what this model
///   misses (another process trading for the same signer, a venue restart).
///
/// Thread safety: every member may be called from any thread; the state sits behind one mutex,
/// and a take is atomic, so a burst from several connections never exceeds the bucket.
public final class RateLimitPacer: Sendable {
    /// Which of the signer's buckets a request draws on.
    public enum Bucket: String, Sendable, CaseIterable {
        /// `POST /order` (1), `POST /orders` (one per order).
        case orders
        /// `DELETE /order` (1), `DELETE /orders` (one per id), `/cancel-all` and
        /// `/cancel-market-orders` (1 + one per order cancelled).
        case cancels
    }

    /// What the bucket says about a request now.
    public enum Admission: Sendable, Equatable, CustomStringConvertible {
        /// The tokens were taken: send it.
        case go
        /// Nothing taken; the tokens are there in `millis` (ask again then).
        case wait(millis: Int64)
        /// Nothing taken; the tokens come only after the request's deadline (`waitMillis` from now).
        case stale(waitMillis: Int64)
        /// Nothing taken; the cost exceeds the bucket's burst, so the request can never pass.
        case aboveBurst(cost: Int, burst: Int)
        /// Nothing taken; the caller gave up waiting (a cancel-all withdrew the orders still
        /// waiting for a token, so none is sent after it).
        case withdrawn

        public var description: String {
            switch self {
            case .go: return "admitted"
            case .wait(let millis): return "tokens in \(millis) ms"
            case .stale(let wait): return "stale: the signer's bucket has no token for \(wait) ms, past the action's deadline; not sent late"
            case .aboveBurst(let cost, let burst):
                return "costs \(cost) tokens, above the bucket's burst of \(burst): the venue would never admit it; refused locally"
            case .withdrawn: return "withdrawn while waiting for the signer's bucket (cancel-all); not sent"
            }
        }
    }

    /// The longest a reported debt blocks a bucket (a `Reset` further ahead is taken as this):
    /// a malformed or hostile header must not stop trading for hours (RL-08).
    public static let maximumBlockMillis: Int64 = 60_000

    private struct State {
        var tier: RateLimitTier
        var orders: TokenBucket
        var cancels: TokenBucket
        /// Per bucket, unix ms before which it admits nothing (a reported debt).
        var blockedUntil: [Bucket: Int64] = [:]
        var inWarning = false
        var warningEpisodes = 0

        subscript(bucket: Bucket) -> TokenBucket {
            get { bucket == .orders ? orders : cancels }
            set { if bucket == .orders { orders = newValue } else { cancels = newValue } }
        }
    }

    /// How often requests had to wait for a bucket, or were refused by it, since the start.
    public struct Statistics: Sendable, Hashable {
        /// Requests that waited at least once before going (or before giving up).
        public var waits = 0
        /// Milliseconds slept in those waits, in total.
        public var waitedMillis: Int64 = 0
        /// Refused as stale: the tokens would come after the request's deadline.
        public var stale = 0
        /// Withdrawn while waiting (a cancel-all).
        public var withdrawn = 0
    }

    /// The tokens each bucket keeps back (see the margin rule above).
    public let marginTokens: Int
    private let counts = Mutex(Statistics())

    /// The waits and refusals so far.
    public var statistics: Statistics { counts.withLock { $0 } }
    private let state: Mutex<State>
    private let clock: @Sendable () -> Int64
    private let sleep: @Sendable (Int64) -> Void
    private let logger: Logger

    /// - Parameters:
    ///   - tier: the starting tier (`--rate-limit-tier`); both buckets start full.
    ///   - marginTokens: tokens each bucket keeps back for the difference between send and
    ///     arrival times (0: pace to the exact bucket, as a model of the venue's own does).
    ///   - clock: unix milliseconds (`Poly-RateLimit-Reset` is unix seconds).
    ///   - sleep: waits the given milliseconds; tests pass one that moves a manual clock.
    public init(tier: RateLimitTier, logger: Logger, marginTokens: Int = 2, clock: @escaping @Sendable () -> Int64 = { BusClock.nowMillis() },
                sleep: @escaping @Sendable (Int64) -> Void = { usleep(UInt32(clamping: max(0, $0) * 1_000)) }) {
        let now = clock()
        state = Mutex(State(tier: tier, orders: TokenBucket(tier.orders, nowMillis: now), cancels: TokenBucket(tier.cancels, nowMillis: now)))
        self.marginTokens = max(0, marginTokens)
        self.clock = clock
        self.sleep = sleep
        self.logger = logger
    }

    /// The tier the buckets are sized for now.
    public var tier: RateLimitTier { state.withLock { $0.tier } }

    /// How many warning episodes the venue has signalled (`Poly-RateLimit-Warning: true`).
    public var warningEpisodes: Int { state.withLock { $0.warningEpisodes } }

    /// Whole tokens in `bucket` now (negative while in debt).
    public func available(_ bucket: Bucket) -> Int {
        let now = clock()
        return state.withLock { $0[bucket].available(nowMillis: now) }
    }

    /// Takes `cost` tokens now if the bucket allows it; never waits.
    /// - Parameter notAfterMillis: the request's deadline (unix ms); nil for none.
    public func admit(_ bucket: Bucket, cost: Int, notAfterMillis: Int64? = nil) -> Admission {
        let now = clock()
        return state.withLock { state in
            let burst = state[bucket].size.burst
            guard cost <= burst else { return .aboveBurst(cost: cost, burst: burst) }
            let margin = min(marginTokens, burst - cost)
            var wait = state[bucket].millisUntilAvailable(cost + margin, nowMillis: now) ?? 0
            if let until = state.blockedUntil[bucket], until > now { wait = max(wait, until - now) }
            if wait == 0, state[bucket].take(cost, nowMillis: now) { return .go }
            wait = max(wait, 1)
            if let notAfterMillis, now + wait > notAfterMillis { return .stale(waitMillis: wait) }
            return .wait(millis: wait)
        }
    }

    /// Waits until `cost` tokens are there and takes them (``Admission/go``), or returns why not
    /// (``Admission/stale(waitMillis:)``, ``Admission/aboveBurst(cost:burst:)``) without waiting
    /// in vain. Blocking: call it from a connection's own thread, never from the execution loop
    /// while it must stay responsive.
    /// - Parameters:
    ///   - notAfterMillis: the deadline (unix ms): the action's expiry for an order.
    ///   - maxWaitMillis: for requests with no deadline (cancels): after waiting this long the
    ///     request goes anyway (`.go`, tokens charged), and the venue's own answer decides.
    ///   - giveUp: asked before each try and at least every ``giveUpCheckMillis`` while waiting;
    ///     true ends the wait with ``Admission/withdrawn``.
    public func acquire(_ bucket: Bucket, cost: Int, notAfterMillis: Int64? = nil, maxWaitMillis: Int64? = nil,
                        giveUp: (() -> Bool)? = nil) -> Admission {
        let started = clock()
        var waited = false
        defer { if waited { counts.withLock { $0.waits += 1 } } }
        while true {
            if let giveUp, giveUp() {
                counts.withLock { $0.withdrawn += 1 }
                return .withdrawn
            }
            let admission = admit(bucket, cost: cost, notAfterMillis: notAfterMillis)
            if case .stale = admission { counts.withLock { $0.stale += 1 } }
            guard case .wait(let millis) = admission else { return admission }
            if let maxWaitMillis, clock() + millis - started > maxWaitMillis {
                charge(bucket, cost: cost)
                logger.warning("signer rate limit: sending without waiting for the bucket", metadata: [
                    "ratelimit.bucket": "\(bucket.rawValue)", "ratelimit.wait_ms": "\(millis)", "ratelimit.tier": "\(tier.rawValue)",
                ])
                return .go
            }
            let nap = giveUp == nil ? millis : min(millis, Self.giveUpCheckMillis)
            waited = true
            counts.withLock { $0.waitedMillis += nap }
            sleep(nap)
        }
    }

    /// How often a waiting ``acquire(_:cost:notAfterMillis:maxWaitMillis:giveUp:)`` asks whether to give up.
    public static let giveUpCheckMillis: Int64 = 20

    /// Debits `cost` tokens whatever the balance: work the venue did beyond what was admitted
    /// (the orders a cancel-all removed, RL-10). The bucket may go into debt.
    public func charge(_ bucket: Bucket, cost: Int) {
        guard cost > 0 else { return }
        let now = clock()
        state.withLock { $0[bucket].charge(cost, nowMillis: now) }
    }

    /// Corrects the model from an answer's `Poly-RateLimit-*` headers.
    /// - Parameter bucket: the bucket the answered request drew on; nil for other requests
    ///   (their `Remaining` is not about either bucket; tier and warning still count).
    public func observe(_ response: HTTPResponse, bucket: Bucket?) {
        let tierHeader = response.header("poly-ratelimit-tier")
        let remaining = response.header("poly-ratelimit-remaining").flatMap { Int($0.trimmingCharacters(in: .whitespaces)) }
        let resetSeconds = response.header("poly-ratelimit-reset").flatMap { Int64($0.trimmingCharacters(in: .whitespaces)) }
        let warning = response.header("poly-ratelimit-warning")?.trimmingCharacters(in: .whitespaces).lowercased() == "true"
        guard tierHeader != nil || remaining != nil || warning || bucket != nil else { return }
        let now = clock()
        var notes: [(level: Logger.Level, message: Logger.Message, metadata: Logger.Metadata)] = []
        state.withLock { state in
            if let tierHeader {
                if let tier = RateLimitTier(venueName: tierHeader) {
                    if tier != state.tier {
                        notes.append((.notice, "signer rate-limit tier changed", ["ratelimit.tier": "\(tier.rawValue)", "ratelimit.previous_tier": "\(state.tier.rawValue)"]))
                        state.tier = tier
                        state.orders.resize(tier.orders, nowMillis: now)
                        state.cancels.resize(tier.cancels, nowMillis: now)
                    }
                } else {
                    notes.append((.warning, "unknown signer rate-limit tier in a venue answer; keeping the current one",
                                  ["ratelimit.tier_header": "\(tierHeader.prefix(40))", "ratelimit.tier": "\(state.tier.rawValue)"]))
                }
            }
            if let bucket, let remaining {
                state[bucket].adopt(remaining: remaining, nowMillis: now)
                if remaining < 0 {
                    let until = resetSeconds.map { min($0 * 1_000, now + Self.maximumBlockMillis) } ?? now
                    if until > now {
                        state.blockedUntil[bucket] = max(state.blockedUntil[bucket] ?? 0, until)
                        notes.append((.warning, "venue reports a rate-limit debt; the bucket admits nothing until its reset",
                                      ["ratelimit.bucket": "\(bucket.rawValue)", "ratelimit.remaining": "\(remaining)", "ratelimit.blocked_ms": "\(until - now)"]))
                    }
                }
            }
            if warning, !state.inWarning {
                state.inWarning = true
                state.warningEpisodes += 1
                notes.append((.warning, "venue rate-limit warning: over the signer's per-signer limit (warning mode, not yet enforced)",
                              ["ratelimit.tier": "\(state.tier.rawValue)", "ratelimit.remaining": "\(remaining.map(String.init) ?? "")"]))
            } else if !warning, bucket != nil, state.inWarning {
                state.inWarning = false
                notes.append((.info, "venue rate-limit warning over", ["ratelimit.tier": "\(state.tier.rawValue)"]))
            }
        }
        for note in notes { logger.log(level: note.level, note.message, metadata: note.metadata) }
    }
}
