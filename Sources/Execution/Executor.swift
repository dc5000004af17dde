import Foundation
import Logging
import Bus
import JournalStore
import PolypipeCore
import VenueClient

/// exec-proc's executor: takes a strategy's action to a venue answer, and keeps its view of the
/// venue honest. Its parts, one concept per file:
///
/// ```
/// bus Action ─▶ edge: ExecAction (Executor+Bus) ─▶ pipeline (Executor+Pipeline):
///     duplicate? → validate → heartbeat ok? → venue view current? → risk → sign → JOURNAL → hand off
///   ─▶ settlement of the venue's answer (Executor+Settlement) ─▶ TrackedOrders, journal,
///      OrderReport ─▶ edge: bus OrderEvent
/// ```
///
/// - ``TrackedOrders``: every order that may be on the venue, one state each (in flight, live,
///   unknown). A pure value.
/// - ``ExposureSnapshot``: exposure and holdings rebuilt from the venue. A pure value.
/// - Venue reconciliation (`Executor+VenueSync.swift`, `Executor+UnknownOutcomes.swift`):
///   startup, periodic resynchronization, lapsed heartbeats, unknown outcomes — the venue
///   reads; the decisions are ``VenueReconciler``'s pure verdicts.
/// - ``JournalFailurePolicy``: what any failed journal call means (fail closed), applied in one
///   place (`Executor+Journal.swift`).
/// - Operator commands (`Executor+Commands.swift`), and the process edge (`Executor+Bus.swift`):
///   the only file that speaks the bus's protobuf types; the core takes an ``ExecAction`` and
///   gives ``OrderReport``s.
///
/// Rules that hold throughout:
/// - An action id is executed at most once, across restarts: the journal refuses a second order
///   for it, and an order whose outcome is unknown is resolved by asking the venue for its id
///   (the EIP-712 hash, known before sending) — never by signing a new order.
/// - Only a venue answer that proves rejection marks an order rejected; timeouts, resets and 5xx
///   leave it unknown until the venue shows it (accepted) or, after ``Configuration/unknownGraceMillis``
///   without trace, the journal gives up waiting (`absent`).
/// - The one case that signs an action twice: `order_version_mismatch`, a proven rejection,
///   after which `/version` is read again and the order re-signed once.
///
/// Single-threaded by design: exec-proc's loop calls it, and the REST client blocks. Its state
/// is internal to `Shared`, shared by these extensions only.
public final class Executor {
    public struct Configuration: Sendable {
        public var mode: ExecMode
        /// The L2 API key that owns the orders (`owner` in the POST body).
        public var owner: String
        /// How long an order the venue cannot find stays `unknown` before it is `absent`.
        public var unknownGraceMillis: Int64 = 60_000
        /// An unknown order not found this long after signing is sent again, identical bytes
        /// (idempotent: the venue refuses a second order with the same hash) — only while its
        /// action is still valid (its TTL): a stale order is never placed late (CR-02).
        public var resendAfterMillis: Int64 = 2_000
        /// How many final order events the snapshot keeps.
        public var recentEventLimit = 200
        /// How long a cancel-all waits for orders in flight to come back (more than a request's
        /// timeout, so each has its outcome).
        public var drainTimeoutMillis: Int64 = 5_000
        /// Actions refused by the order-rate limit within one minute after which trading halts
        /// (a strategy flooding, maybe compromised: RISK-05). 0: as many as the limit allows per
        /// minute, i.e. the strategy asked for twice its budget.
        public var floodHaltRefusals = 0
        /// The kill switch: whether every halt also cancels every resting order of ours (see
        /// ``KillSwitch``). On by default; exec-proc's `--no-halt-cancels-orders` turns it off.
        public var haltCancelsOrders = true

        public init(mode: ExecMode, owner: String) {
            self.mode = mode
            self.owner = owner
        }
    }

    public struct Counters: Sendable {
        public var actionsReceived: UInt64 = 0
        public var accepted: UInt64 = 0
        public var rejected: UInt64 = 0
        public var unknown: UInt64 = 0
        public var refused: UInt64 = 0
        public var duplicates: UInt64 = 0
        public var dryRun: UInt64 = 0
        public var malformed: UInt64 = 0
        /// Journal calls that failed (``JournalFailurePolicy``): each one halted trading.
        public var journalFailures: UInt64 = 0
        /// Orders the venue confirmed cancelled by a cancel, a replace or a lifetime.
        public var canceled: UInt64 = 0
        /// Orders the venue reported cancelled by a cancel-all (the operator's, the kill
        /// switch's, or the one on stop).
        public var ordersCanceled: UInt64 = 0
    }

    public let configuration: Configuration
    public let journal: any OrderJournal
    public let catalog: VenueCatalog
    public internal(set) var risk: RiskEngine
    public internal(set) var counters = Counters()
    /// Why trading is halted or reduced (operator reason, alarm, heartbeat, journal).
    public internal(set) var stateReason = ""
    /// Every order that may be on the venue, each in one state.
    public internal(set) var tracked = TrackedOrders()
    /// Orders handed to ``sender``, by ticket: what settling each answer needs.
    var submissions: [UInt64: Submission] = [:]
    /// While a batch's legs go through the pipeline: the legs signed and journaled so far, to be
    /// posted together (`Executor+Batch.swift`); nil otherwise.
    var batchLegs: [Submission]?
    var nextTicket: UInt64 = 1
    /// The latest reports, oldest first, at most ``Configuration/recentEventLimit``.
    var recent: [OrderReport] = []
    /// When actions were refused by the order-rate limit, over the last minute (bounded by the
    /// flood threshold: past it trading halts, and a halted executor refuses before the rate check).
    var rateRefusals: [Int64] = []
    let venue: any VenueAPI
    let builder: OrderBuilder
    let health: VenueHealth
    let clock: @Sendable () -> Int64
    let logger: Logger
    /// Receives every order event (exec-proc publishes it on the bus; see `Executor+Bus.swift`).
    public var onEvent: (Polypipe_Bus_V1_OrderEvent) -> Void = { _ in }
    /// Receives what every cancel request did (topic "canceled"; see `Executor+Cancels.swift`).
    public var onCancelEvent: (Polypipe_Bus_V1_CancelEvent) -> Void = { _ in }
    /// Set just before each request is handed to the transport (tick-to-wire measurement).
    public internal(set) var lastSentAtNanos: UInt64 = 0
    /// Posts orders on several connections at once; nil: each order is posted on this thread
    /// and settled before the next action.
    public var sender: OrderSender?
    /// Tokens this executor has traded and may still hold shares of: their balances are read at
    /// every resynchronization (what a SELL may use), and dropped once empty and not traded.
    var tradedTokens: Set<TokenID> = []
    /// Per traded token, from when (unix seconds) its trades are read for unsettled ones: just
    /// before the oldest trade of ours still unsettled, else a minute ago — so each
    /// resynchronization reads the last minute's trades, not the last hour's.
    var tradesReadFrom: [TokenID: Int64] = [:]
    /// How long venue heartbeats had lapsed, while what the venue holds is in doubt (see
    /// ``heartbeatsLapsed(forMillis:)``); nil when the view of the venue is current.
    public internal(set) var suspectAfterLapseMillis: Int64?
    /// Live orders with a resting lifetime: when (unix ms) exec-proc cancels each itself
    /// (`Executor+Lifetimes.swift`).
    public internal(set) var restDeadlines: [OrderID: Int64] = [:]
    /// Tracked orders whose lifetime (or its absence) is known: accepted here, or looked up in
    /// the journal once (orders adopted at startup or after an unknown outcome).
    var restChecked: Set<OrderID> = []
    /// The cancel-all a halt owes (`Executor+KillSwitch.swift`).
    public internal(set) var killSwitch: KillSwitch
    /// True while ``cancelAll(reason:)`` runs: a halt it causes (its audit line failing) is
    /// covered by it, never a cancel-all inside a cancel-all.
    var cancellingAll = false
    /// True while ``completeSubmissions()`` settles answers: a halt there waits for the loop's
    /// next pass to cancel (a cancel-all drains the very submissions being settled).
    var settlingCompletions = false
    /// Today's realized P&L from fill-proc, against ``RiskLimits/dailyLossLimit``
    /// (`Executor+DailyLoss.swift`).
    public internal(set) var dailyPnL: DailyRealizedPnL
    /// Whether fill-proc's silence has been logged (and its return not yet).
    var dailyPnLFeedSilent = false
    /// When this executor was built (unix ms).
    let startedAtMillis: Int64

    /// - Parameter journal: ``Journal`` in production; any ``OrderJournal`` in tests.
    /// - Throws: when the journal cannot give the persisted trading state or the last minute's
    ///   signatures: an executor that cannot read its journal does not start.
    public init(configuration: Configuration, journal: any OrderJournal, venue: any VenueAPI, builder: OrderBuilder,
                limits: RiskLimits, health: VenueHealth, logger: Logger, books: BookWatch? = nil,
                clock: @escaping @Sendable () -> Int64 = { BusClock.nowMillis() }) throws {
        self.configuration = configuration
        self.journal = journal
        self.venue = venue
        self.catalog = VenueCatalog(client: venue, books: books)
        self.builder = builder
        self.health = health
        self.logger = logger
        self.clock = clock
        self.risk = RiskEngine(limits: limits, state: try journal.tradingState())
        self.killSwitch = KillSwitch(enabled: configuration.haltCancelsOrders && configuration.mode != .dryRun)
        self.dailyPnL = DailyRealizedPnL(limit: limits.dailyLossLimit,
                                         baseline: try journal.setting(DailyRealizedPnL.settingKey).flatMap(DailyRealizedPnL.Baseline.init(setting:)))
        let now = clock()
        startedAtMillis = now
        // Halted before a restart: whatever rests now is cancelled on the loop's first pass
        // (the cancel-all owed before the restart may never have gone out).
        if risk.state == .halted { killSwitch.halted(reason: "halted at startup") }
        // The last minute's signatures, from before a restart, still count toward the rate limit.
        risk.restoreSigned(atMillis: try journal.entries(in: Journal.State.allCases, createdSinceMillis: now - 60_000).map(\.createdAtMillis))
    }

    /// Orders the venue accepted that may rest on it, by order id.
    public var live: [OrderID: LiveOrder] { tracked.live }
    /// Orders whose outcome is still unknown.
    public var unknownCount: Int { tracked.unknownCount }
    /// Orders handed to the ``sender`` whose outcome has not come back yet.
    public var inFlightCount: Int { tracked.inFlightCount }
}
