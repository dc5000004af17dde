/// Where one of our orders stands in its life (issue 5):
/// `PENDING → SUBMITTED → OPEN → MATCHED (partly filled) → FILLED`, or `CANCELLED`,
/// `REJECTED`, `EXPIRED`.
///
/// MATCHED and FILLED are never set directly: they follow from the surviving (not voided) fills
/// against the order's size, so a voided fill takes an order from FILLED back to MATCHED or
/// OPEN by itself. The others come from ``OrderEvent``s and never regress.
public enum OrderState: String, Sendable, Hashable, CaseIterable {
    /// Known (journaled, published by exec-proc), not yet sent.
    case pending = "PENDING"
    /// Sent; no venue answer yet (or an unknown outcome: timeout, 5xx).
    case submitted = "SUBMITTED"
    /// The venue placed it; nothing filled yet.
    case open = "OPEN"
    /// Partly filled.
    case matched = "MATCHED"
    /// Filled to its size (or beyond: a market BUY can get more shares than its minimum).
    case filled = "FILLED"
    case cancelled = "CANCELLED"
    /// The venue proved it will not place the order.
    case rejected = "REJECTED"
    case expired = "EXPIRED"

    /// No further event changes it (fills can still add to a cancelled order's filled size:
    /// a fill that raced the cancel, test matrix CAN-02).
    public var isTerminal: Bool {
        switch self {
        case .filled, .cancelled, .rejected, .expired: return true
        case .pending, .submitted, .open, .matched: return false
        }
    }

    /// Order of the event-driven stages: a stage with a lower rank never replaces a higher one.
    package var stageRank: Int {
        switch self {
        case .pending: return 0
        case .submitted: return 1
        case .open, .matched, .filled: return 2
        case .cancelled, .rejected, .expired: return 3
        }
    }
}
