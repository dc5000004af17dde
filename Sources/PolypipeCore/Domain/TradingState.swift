/// Whether new orders may be signed.
public enum TradingState: String, Sendable, Hashable {
    /// Orders allowed within the limits.
    case running = "RUNNING"
    /// Only orders that reduce exposure (selling held shares).
    case reducing = "REDUCING"
    /// No new orders; cancels still allowed.
    case halted = "HALTED"
}
