import JournalStore
import VenueClient

/// The venue reconciler's rules, as pure functions: given what the venue said about one order
/// exec-proc tracks, what that order has become. The executor reads the venue (startup,
/// resynchronization, after a heartbeat lapse, unknown outcomes: `Executor+VenueSync.swift`,
/// `Executor+UnknownOutcomes.swift`) and applies the verdicts; every decision is here, tested
/// directly.
///
/// - Important: no verdict turns "the venue does not know this order" into *rejected*. An
///   order of unknown outcome the venue cannot find is waited for, sent again (same bytes) while
///   its action holds, and only after the grace period given up as *absent* — never rejected.
public enum VenueReconciler {
    /// How long an order accepted as `delayed` that the venue neither lists nor finds is still
    /// taken as held (the taker delay is 250 ms; spec §9).
    public static let delayedGraceMillis: Int64 = 10_000

    /// The journal state for a venue order status: `MATCHED` is filled; any cancel, `INVALID`
    /// and `UNMATCHED` are canceled; anything else (`LIVE`, `DELAYED`, a status this build does
    /// not know) is accepted — the order may rest.
    public static func journalState(venueStatus: VenueOrderStatus) -> Journal.State {
        if venueStatus == .matched { return .filled }
        if venueStatus.isCanceled { return .canceled }
        return .accepted
    }

    /// Whether a venue order status says the taker delay still holds the order.
    public static func isDelayed(_ venueStatus: VenueOrderStatus) -> Bool {
        venueStatus == .delayed
    }

    // MARK: Startup

    /// A journaled order that may be on the venue (signed, unknown or accepted), at startup.
    public enum StartupVerdict: Sendable, Hashable {
        /// Listed among the open orders: live. `markAccepted`: the journal did not know yet.
        case live(markAccepted: Bool)
        /// Found by id, not listed: the journal takes the venue's state; live again if accepted.
        case settled(Journal.State)
        /// Accepted earlier, now neither listed nor found: gone (canceled).
        case gone
        /// Never accepted, and the venue has no trace: still unknown.
        case unknown
    }

    /// - Parameters:
    ///   - listed: whether the venue's open orders list it.
    ///   - found: when not listed, the status of the venue's answer to a lookup by id (nil: not found).
    public static func startup(journaled state: Journal.State, listed: Bool, found: VenueOrderStatus?) -> StartupVerdict {
        if listed { return .live(markAccepted: state != .accepted) }
        if let found { return .settled(journalState(venueStatus: found)) }
        return state == .accepted ? .gone : .unknown
    }

    // MARK: Resynchronization

    /// A live order the venue no longer lists.
    public enum VanishedVerdict: Sendable, Hashable {
        /// Still held by the taker delay: placed and reserved, maybe not listed yet.
        case heldByDelay
        /// Final: filled or canceled, with the journal state it takes.
        case final(Journal.State)
    }

    /// - Parameters:
    ///   - found: the status of the venue's answer to a lookup by id (nil: not found).
    ///   - delayedSinceMillis: when it was accepted as `delayed`, if it was.
    public static func vanished(found: VenueOrderStatus?, delayedSinceMillis: Int64?, nowMillis: Int64) -> VanishedVerdict {
        if let since = delayedSinceMillis, found.map(isDelayed) ?? (nowMillis - since < delayedGraceMillis) {
            return .heldByDelay
        }
        let state = found.map { journalState(venueStatus: $0) } ?? .canceled
        // Not listed yet "accepted" by its status: not resting any more, so canceled.
        return .final(state == .accepted ? .canceled : state)
    }

    // MARK: Unknown outcomes

    /// An order of unknown outcome, after a lookup by its id.
    public enum UnknownVerdict: Sendable, Hashable {
        /// The venue has it: the journal takes this state (live again if accepted).
        case resolved(Journal.State)
        /// Not found past the grace period: it never reached the venue (not "rejected").
        case absent
        /// Not found, not resent yet, its action still holds: send the same bytes once more.
        case resend
        /// Not found, not resent yet, its action expired: never placed late (CR-02); wait out
        /// the grace period.
        case expired
        /// Not found yet: ask again later.
        case wait
    }

    /// - Parameters:
    ///   - found: the status of the venue's answer to a lookup by id (nil: not found).
    ///   - ageMillis: how long ago it was signed.
    ///   - graceMillis: past it, an order not found is absent.
    ///   - resendAfterMillis: past it, an order not found is sent again once.
    public static func unknown(found: VenueOrderStatus?, ageMillis: Int64, unresolved: TrackedOrders.Unresolved, nowMillis: Int64,
                               graceMillis: Int64, resendAfterMillis: Int64) -> UnknownVerdict {
        if let found { return .resolved(journalState(venueStatus: found)) }
        if ageMillis >= graceMillis { return .absent }
        guard !unresolved.resent, ageMillis >= resendAfterMillis else { return .wait }
        return unresolved.isCurrent(atMillis: nowMillis) ? .resend : .expired
    }
}
