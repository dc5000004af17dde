import PolypipeCore

/// One of the market maker's two quotes (a bid on Up, a bid on Down), as an explicit state
/// machine driven by exec-proc's answers.
///
/// ```
/// empty ──place──▶ pending ──accepted──▶ live ──replace──▶ replacing ──new accepted──▶ live
///   ▲                │ ended                │ cancel / filled / ended   │ new refused
///   │◀───────────────┘◀──────────────────────┘                          ▼
///   │◀──done / failed── cancelling ◀──cancel── orphan (may still rest) ◀┘ (also: no answer in time)
/// ```
///
/// Rules:
/// - At most one order of ours per slot may rest, and the slot always knows which action id it
///   could be; a quote whose fate is unknown is never forgotten: it becomes an orphan, and an
///   orphan is cancelled before the slot quotes again.
/// - A replace that exec-proc refused leaves the old order's fate open (its cancel may have
///   failed): orphan, not empty.
/// - A cancel the venue answered `done` or `failed` (already filled, not found) ends the quote;
///   no answer, or a refusal, leaves it an orphan to cancel again.
struct QuoteSlot: Sendable, Hashable {
    struct Quote: Sendable, Hashable {
        let actionID: String
        let price: Price
        let size: Shares
    }

    enum State: Sendable, Hashable {
        case empty
        case pending(Quote)
        case live(Quote)
        case replacing(old: Quote, new: Quote)
        case orphan(Quote)
        case cancelling(Quote, requestID: String)
    }

    private(set) var state: State = .empty
    /// When the slot last sent a command (the rate budget and the answer timeout count from it).
    private(set) var lastCommandAtMillis: Int64 = .min / 2

    /// The quote resting (or about to), whose price a requote compares against.
    var restingQuote: Quote? {
        switch state {
        case .live(let quote): return quote
        default: return nil
        }
    }

    /// Whether some order of ours may rest for this slot.
    var mayRest: Bool { state != .empty }

    /// A placement (or a replace's new order) sent and not answered yet.
    var isAwaitingPlacement: Bool {
        switch state {
        case .pending, .replacing: return true
        case .empty, .live, .orphan, .cancelling: return false
        }
    }

    mutating func placed(_ quote: Quote, atMillis now: Int64) {
        state = .pending(quote)
        lastCommandAtMillis = now
    }

    mutating func replaced(by quote: Quote, atMillis now: Int64) {
        guard case .live(let old) = state else { return }
        state = .replacing(old: old, new: quote)
        lastCommandAtMillis = now
    }

    mutating func cancelSent(requestID: String, atMillis now: Int64) {
        switch state {
        case .live(let quote), .pending(let quote), .orphan(let quote): state = .cancelling(quote, requestID: requestID)
        case .replacing(let old, _): state = .cancelling(old, requestID: requestID)
        case .empty, .cancelling: return
        }
        lastCommandAtMillis = now
    }

    /// An order event for `actionID`.
    mutating func observeOrder(actionID: String, _ orderState: StrategyFeedback.OrderState) {
        switch (state, orderState) {
        case (.pending(let quote), .accepted) where quote.actionID == actionID: state = .live(quote)
        case (.pending(let quote), .ended) where quote.actionID == actionID: state = .empty
        case (.replacing(_, let new), .accepted) where new.actionID == actionID: state = .live(new)
        case (.replacing(let old, let new), .ended) where new.actionID == actionID: state = .orphan(old)
        case (.live(let quote), .ended) where quote.actionID == actionID: state = .empty
        case (.cancelling(let quote, _), .ended) where quote.actionID == actionID: state = .empty
        default: break
        }
    }

    /// A cancel event for `requestID` (a cancel this slot sent).
    mutating func observeCancel(requestID: String, _ cancelState: StrategyFeedback.CancelState) {
        guard case .cancelling(let quote, let sent) = state, sent == requestID else { return }
        switch cancelState {
        case .done, .failed: state = .empty
        case .unknown, .refused: state = .orphan(quote)
        }
    }

    /// The quote of `actionID` was filled completely: nothing of it rests any more.
    mutating func filledCompletely(actionID: String) {
        switch state {
        case .live(let quote) where quote.actionID == actionID: state = .empty
        case .pending(let quote) where quote.actionID == actionID: state = .empty
        default: break
        }
    }

    /// No answer for `timeoutMillis` since the last command: the quote's fate is open.
    mutating func expireWaiting(nowMillis now: Int64, timeoutMillis: Int64) {
        guard now - lastCommandAtMillis >= timeoutMillis else { return }
        switch state {
        case .pending(let quote), .cancelling(let quote, _): state = .orphan(quote)
        case .replacing(let old, _): state = .orphan(old)
        case .empty, .live, .orphan: break
        }
    }

    /// The action ids that may belong to this slot (fills of them are ours).
    var actionIDs: [String] {
        switch state {
        case .empty: return []
        case .pending(let quote), .live(let quote), .orphan(let quote), .cancelling(let quote, _): return [quote.actionID]
        case .replacing(let old, let new): return [old.actionID, new.actionID]
        }
    }
}
