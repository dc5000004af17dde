/// The kill switch's bookkeeping: every halt owes one cancel-all of every resting order of ours,
/// and the debt stands until a cancel-all succeeds or trading leaves the halted state.
///
/// A halt — the operator's (`polypipe halt`), recon-proc's alarm, an action flood, a journal
/// failure, the daily loss limit — stops new orders; without this, the orders already resting
/// stay on the book and keep filling. So by default a halt also cancels them (``Executor``'s
/// `cancelAll`), and a cancel-all that fails (venue down, 5xx, timeout) is tried again every
/// ``retryMillis`` from exec-proc's loop: a halted exec-proc with orders still resting is the
/// state this removes. Reduce-only does not cancel (its resting orders may be the ones that
/// reduce), and neither does anything while ``enabled`` is false (`--no-halt-cancels-orders`).
///
/// A pure value: *when* to try is decided here and tested directly; the executor does the I/O.
///
/// ```
///            halted(reason:)                 failed(nowMillis:)
/// nothing owed ──────────────▶ owed, due now ───────────────▶ owed, due in retryMillis ─┐
///      ▲                          │   ▲                                                  │
///      └── succeeded() / left() ──┘   └──────────────────────────────────────────────────┘
/// ```
public struct KillSwitch: Sendable, Hashable {
    /// How long after a failed cancel-all the next one is tried.
    public static let retryMillis: Int64 = 1_000

    /// Whether a halt cancels (exec-proc's `--halt-cancels-orders`, the default).
    public let enabled: Bool
    /// The reason of the halt whose cancel-all has not succeeded yet; nil when nothing is owed.
    public private(set) var owed: String?
    /// Failed cancel-alls since the debt arose.
    public private(set) var failedAttempts = 0
    private var nextAttemptMillis: Int64 = .min

    public init(enabled: Bool) {
        self.enabled = enabled
    }

    /// Trading halted for `reason`: a cancel-all is owed, due at once (a second halt while one
    /// is owed makes it due at once again, with the newer reason).
    public mutating func halted(reason: String) {
        guard enabled else { return }
        owed = reason
        nextAttemptMillis = .min
    }

    /// The reason to cancel for, when a cancel-all is owed and due at `nowMillis`.
    public func due(nowMillis: Int64) -> String? {
        guard let owed, nowMillis >= nextAttemptMillis else { return nil }
        return owed
    }

    /// A cancel-all succeeded (any: the operator's covers the debt too).
    public mutating func succeeded() {
        owed = nil
        failedAttempts = 0
        nextAttemptMillis = .min
    }

    /// The cancel-all failed at `nowMillis`: tried again ``retryMillis`` later.
    public mutating func failed(nowMillis: Int64) {
        guard owed != nil else { return }
        failedAttempts += 1
        nextAttemptMillis = nowMillis + Self.retryMillis
    }

    /// Trading left the halted state (resume, or reduce-only): the operator chose to trade
    /// again, nothing is owed any more.
    public mutating func left() {
        succeeded()
    }
}
