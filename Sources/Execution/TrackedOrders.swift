import PolypipeCore
/// Every order exec-proc signed that may be on the venue, each in exactly one state: the one
/// collection the executor keeps them in (it replaced three maps — live, pending, in flight —
/// that an order had to be moved between by hand).
///
/// ```
///            ┌──────────── sender answers ─────────────┐
///  signed ─▶ inFlight ─┬─▶ live ───────────────────────┴─▶ (gone: filled, canceled)
///     │                └─▶ unknown ─┬─▶ live
///     └─▶ live / unknown            └─▶ (gone: resolved final, rejected on resend, absent)
/// ```
///
/// - `inFlight`: handed to the ``OrderSender``; no answer yet.
/// - `live`: the venue accepted it (or lists it); it may rest and fill. `delayedSince` is set
///   while the taker delay holds it (spec §9): maybe not listed yet, still reserved.
/// - `unknown`: sent with no proof either way; resolved by asking the venue for its id, never by
///   signing again. It keeps the exact bytes that were sent, for one identical resend.
///
/// Orders in every state count as exposure at full size until the venue lists them; only a
/// venue answer or the grace period removes one. Keys are ``OrderID``s, so an id the venue
/// spells in upper case finds the order we signed in lower case.
///
/// A value type with no I/O: the executor applies venue evidence to it, tests drive it
/// directly and by random sequences. Illegal moves (accepting an order that is not tracked,
/// marking a live order unknown) are refused and return false, leaving it unchanged.
public struct TrackedOrders: Sendable, Hashable {
    /// Where one order stands.
    public enum State: Sendable, Hashable {
        case inFlight(ticket: UInt64)
        case live(delayedSinceMillis: Int64?)
        case unknown(Unresolved)

        /// The name of the state, for logs and tests.
        public var name: String {
            switch self {
            case .inFlight: return "in-flight"
            case .live: return "live"
            case .unknown: return "unknown"
            }
        }
    }

    /// What an order of unknown outcome needs to be resolved: the exact bytes sent (a resend is
    /// those bytes, never a new signature), until when its action holds, whether it was resent.
    public struct Unresolved: Sendable, Hashable {
        public let body: [UInt8]
        /// The action's `created_at_ms + ttl_ms`; nil: treated as expired (never resent).
        public let expiresAtMillis: Int64?
        public var resent: Bool

        public init(body: [UInt8], expiresAtMillis: Int64?, resent: Bool = false) {
            self.body = body
            self.expiresAtMillis = expiresAtMillis
            self.resent = resent
        }

        /// Whether its action may still be sent at `nowMillis` (strictly before its expiry).
        public func isCurrent(atMillis nowMillis: Int64) -> Bool {
            guard let expiresAtMillis else { return false }
            return nowMillis < expiresAtMillis
        }
    }

    /// One tracked order and its state.
    public struct Tracked: Sendable, Hashable {
        public let order: LiveOrder
        public var state: State
    }

    private var byID: [OrderID: Tracked] = [:]

    public init() {}

    // MARK: Reading

    public subscript(orderID: OrderID) -> Tracked? { byID[orderID] }
    public var count: Int { byID.count }
    public var isEmpty: Bool { byID.isEmpty }
    /// Every tracked order: all may be on the venue.
    public var all: [Tracked] { Array(byID.values) }

    /// Accepted orders, by id.
    public var live: [OrderID: LiveOrder] { byID.compactMapValues { if case .live = $0.state { $0.order } else { nil } } }
    public var liveCount: Int { byID.values.count { if case .live = $0.state { true } else { false } } }
    /// Orders of unknown outcome with what resolving them needs.
    public var unknown: [(order: LiveOrder, unresolved: Unresolved)] {
        byID.values.compactMap { if case .unknown(let unresolved) = $0.state { ($0.order, unresolved) } else { nil } }
            .sorted { $0.order.createdAtMillis < $1.order.createdAtMillis }
    }
    public var unknownCount: Int { byID.values.count { if case .unknown = $0.state { true } else { false } } }
    public var inFlightCount: Int { byID.values.count { if case .inFlight = $0.state { true } else { false } } }
    /// Live orders the taker delay holds, with since when.
    public var delayed: [(order: LiveOrder, sinceMillis: Int64)] {
        byID.values.compactMap { if case .live(let since?) = $0.state { ($0.order, since) } else { nil } }
    }

    // MARK: Moves

    /// Starts tracking a signed order handed to the sender.
    @discardableResult
    public mutating func sent(_ order: LiveOrder, ticket: UInt64) -> Bool {
        insert(order, .inFlight(ticket: ticket))
    }

    /// The venue accepted or lists it: live. From in-flight, unknown, or untracked (an answer
    /// on this thread, the startup reconciliation, a late arrival); a live order keeps its
    /// state, except that `delayedSinceMillis` replaces the old mark.
    @discardableResult
    public mutating func accepted(_ order: LiveOrder, delayedSinceMillis: Int64? = nil) -> Bool {
        byID[order.orderID] = Tracked(order: order, state: .live(delayedSinceMillis: delayedSinceMillis))
        return true
    }

    /// Sent with no proof either way. From in-flight or untracked; a live order is never
    /// downgraded (the venue already showed it).
    @discardableResult
    public mutating func unknown(_ order: LiveOrder, _ unresolved: Unresolved) -> Bool {
        let id = order.orderID
        if let current = byID[id], case .live = current.state { return false }
        byID[id] = Tracked(order: order, state: .unknown(unresolved))
        return true
    }

    /// Records that an unknown order was (or, with false, may again be) sent a second time.
    @discardableResult
    public mutating func markResent(_ id: OrderID, _ resent: Bool = true) -> Bool {
        guard var tracked = byID[id], case .unknown(var unresolved) = tracked.state else { return false }
        unresolved.resent = resent
        tracked.state = .unknown(unresolved)
        byID[id] = tracked
        return true
    }

    /// A live order that is no longer held by the taker delay (the venue lists it, or ended it).
    @discardableResult
    public mutating func clearDelay(_ id: OrderID) -> Bool {
        guard var tracked = byID[id], case .live(_?) = tracked.state else { return false }
        tracked.state = .live(delayedSinceMillis: nil)
        byID[id] = tracked
        return true
    }

    /// Stops tracking an order: it is final (filled, canceled, rejected, absent) or its
    /// outcome moved elsewhere. Returns what was tracked.
    @discardableResult
    public mutating func remove(_ orderID: OrderID) -> Tracked? {
        byID.removeValue(forKey: orderID)
    }

    private mutating func insert(_ order: LiveOrder, _ state: State) -> Bool {
        let id = order.orderID
        guard byID[id] == nil else { return false }
        byID[id] = Tracked(order: order, state: state)
        return true
    }
}
