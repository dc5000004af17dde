import PolypipeCore
/// What the executor does when its journal cannot do what it was asked: one rule for every
/// journal call in `Exec/`, instead of a silent `try?` at each.
///
/// The journal is what makes an action execute at most once, across crashes: an order is
/// written before a byte of it goes out, and every outcome is written after. A journal that
/// fails (disk full, read-only file system, locked database) breaks that promise, so the
/// policy is **fail closed**:
///
/// | Kind | Calls | On failure |
/// |---|---|---|
/// | ``JournalCall/order`` | recording or re-signing an order, the duplicate check before it | the action is refused ("journal unavailable"); nothing is sent |
/// | ``JournalCall/settlement`` | moving an order to the state the venue proved (accepted, rejected, unknown, canceled, filled, absent) | the executor's memory follows the venue anyway (it is the truth); the journal is behind until the next startup reconciliation asks the venue again |
/// | ``JournalCall/audit`` | audit lines and the persisted trading state | the line is lost; a loosening state change (resume, or reduce-only from halted) that cannot be persisted does not take effect |
/// | ``JournalCall/lookup`` | reads that inform a decision (is this trade leg ours? was this absent order ours?) | the conservative answer is taken (a leg counts as ours and provisional, so a SELL sees fewer shares) |
///
/// and for every kind alike: the failure is logged at `critical`, counted in
/// ``Executor/Counters/journalFailures``, and **trading halts** (in memory at once, and
/// persisted if the journal still takes that write). Cancels, lookups of unknown orders and
/// reconciliation with the venue go on: they only reduce risk. Only an operator's resume, which
/// itself must be persisted, reopens trading — after the journal is healthy again.
///
/// Why halt on an audit line: a journal that loses one write loses the next, and the next may
/// be an order's; a halt costs missed trades, an unjournaled order can cost its whole notional
/// twice over (re-signed after a crash) or leave an order nobody tracks.
public enum JournalCall: String, Sendable, Hashable, CaseIterable, CustomStringConvertible {
    /// Must succeed before the order is sent.
    case order
    /// Records what the venue proved about an order already sent.
    case settlement
    /// The audit log and the persisted trading state.
    case audit
    /// A read that informs a decision.
    case lookup

    public var description: String { rawValue }
}

/// The rule itself, as a value: what a failed ``JournalCall`` means for the action at hand and
/// for trading. Pure, so it is tested directly; the ``Executor`` applies it in one place.
public enum JournalFailurePolicy {
    /// The consequence of one failed call.
    public struct Consequence: Sendable, Hashable {
        /// The action being executed is refused and its order never sent.
        public let refusesAction: Bool
        /// Trading halts until an operator resumes.
        public let haltsTrading: Bool
    }

    public static func consequence(of call: JournalCall) -> Consequence {
        Consequence(refusesAction: call == .order, haltsTrading: true)
    }

    /// Whether moving from `current` to `next` loosens trading (more orders may go out): such a
    /// change takes effect only once it is persisted.
    public static func loosens(from current: TradingState, to next: TradingState) -> Bool {
        rank(next) < rank(current)
    }

    private static func rank(_ state: TradingState) -> Int {
        switch state {
        case .running: return 0
        case .reducing: return 1
        case .halted: return 2
        }
    }
}
