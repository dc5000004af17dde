import VenueClient
extension TradeStatus {
    /// How far settlement has progressed, for ordering evidence that arrives out of order:
    /// 0 MATCHED (and MATCHED_NOT_BROADCASTED, and a status this build does not know),
    /// 1 MINED or RETRYING, 2 CONFIRMED or FAILED (terminal).
    var settlementRank: Int {
        switch self {
        case .confirmed, .failed: return 2
        case .mined, .retrying: return 1
        case .matched, .matchedNotBroadcasted, .other: return 0
        }
    }

    /// Whether a fill at this status should move to `next` (test matrix SET-04):
    /// - a terminal status never changes (CONFIRMED then MINED stays CONFIRMED);
    /// - a later stage replaces an earlier one (CONFIRMED before MATCHED: the MATCHED is stale);
    /// - MINED and RETRYING may replace each other (a retry can follow a mined transaction
    ///   that was dropped, and a retry can get mined); nothing goes back to MATCHED.
    func settlementAccepts(_ next: TradeStatus) -> Bool {
        guard !isTerminal, next != self else { return false }
        return next.settlementRank > settlementRank || (next.settlementRank == 1 && settlementRank == 1)
    }
}
