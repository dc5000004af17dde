import PolypipeCore
/// What became of one action, or later of its order: exec-proc's answer in its own terms,
/// published on the bus as an order event by the process edge (`Executor+Bus.swift`).
///
/// Built from the action when it arrives, then filled in along the pipeline (the order id once
/// signed, timings once sent and answered, the outcome and reason at the end). Amounts are
/// micro-units; `…Nanos` are ``BusClock`` nanoseconds, `…Millis` unix milliseconds.
public struct OrderReport: Sendable, Hashable {
    /// What exec-proc can say about the action or order.
    public enum Outcome: Sendable, Hashable {
        /// Handed to the ``OrderSender``: the answer follows in a later report.
        case pending
        /// The venue accepted it.
        case accepted
        /// The venue proved it will not exist.
        case rejected
        /// Sent, no proof either way: resolved by its order id, never by signing again.
        case unknown
        /// exec-proc refused it before anything was sent (a rule said no).
        case refused
        /// Signed and journaled in dry-run mode, never sent.
        case dryRun
        /// Gone from the venue unfilled (cancelled, or never reached it).
        case canceled
        /// Its action id was executed before.
        case duplicate
    }

    public var actionID = ""
    public var orderID: OrderID = ""
    public var outcome = Outcome.pending
    public var reason = ""
    public var market = ""
    public var tokenID = ""
    public var side: Side?
    public var sizeMicros: UInt64 = 0
    public var limitPriceMicros: UInt64 = 0
    public var expectedPriceMicros: UInt64 = 0
    public var venueStatus = ""
    public var actionCreatedAtMillis: Int64 = 0
    public var receivedAtNanos: UInt64 = 0
    /// Checks and risk passed; the order signed; its journal entry written (0: not reached).
    public var validatedAtNanos: UInt64 = 0
    public var signedAtNanos: UInt64 = 0
    public var journaledAtNanos: UInt64 = 0
    public var sentAtNanos: UInt64 = 0
    public var answeredAtNanos: UInt64 = 0
    public var strategy = ""
    public var tradeIDs: [String] = []
    /// A replace's new order: the order it replaces (cancelled before this one was signed).
    public var replacesOrderID: OrderID?
    /// How long the order may rest, as the action asked.
    public var timeInForce = ExecAction.TimeInForce.unspecified
    /// GTD: the `expiration` signed (unix seconds); 0 otherwise.
    public var expirationSeconds: Int64 = 0
    /// Market BUY by amount: the pUSD to spend (micro-units); 0 for an order by size.
    public var amountMicros: UInt64 = 0
    /// The id of the batch the action came in; empty for a single action.
    public var batchID = ""

    public init() {}

    /// The report of an action just received.
    public init(action: ExecAction, receivedAtNanos: UInt64) {
        actionID = action.id
        market = action.market
        tokenID = action.tokenID
        side = action.side
        sizeMicros = action.sizeMicros
        limitPriceMicros = action.limitPriceMicros
        expectedPriceMicros = action.expectedPriceMicros
        actionCreatedAtMillis = action.createdAtMillis
        self.receivedAtNanos = receivedAtNanos
        strategy = action.strategy
        timeInForce = action.timeInForce
        amountMicros = action.amountMicros
        batchID = action.batchID
    }

    /// The report of a journaled order settled later (no action at hand: only the order's own terms).
    public init(order: LiveOrder) {
        actionID = order.actionID
        orderID = order.orderID
        market = order.market
        tokenID = order.token.description
        side = order.side
        sizeMicros = order.shares
        limitPriceMicros = order.price.micros
    }
}
