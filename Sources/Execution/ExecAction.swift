import PolypipeCore
/// A strategy's action as it arrives at exec-proc, in exec-proc's own terms: the fields of the
/// bus message, nothing checked or looked up yet. ``ActionValidator`` turns it into a
/// ``ValidatedAction`` or refuses it; the bus message itself stays at the process edge
/// (`Executor+Bus.swift`).
///
/// Amounts are integer micro-units (6 decimals), times unix milliseconds, exactly as sent.
public struct ExecAction: Sendable, Hashable {
    /// How long the order may live on the book.
    public enum TimeInForce: Sendable, Hashable {
        /// Not said: good till cancelled.
        case unspecified
        case gtc
        case fok
        case fak
        /// Good till ``ExecAction/gtdExpiresAtMillis``.
        case gtd
        /// A value this build does not know: treated as GTC, and never post-only.
        case unrecognized(Int)
    }

    public var id: String
    /// The market's condition id, as the strategy names it (checked against the venue's).
    public var market: String
    /// The token id in decimal, as sent.
    public var tokenID: String
    /// nil when the message did not say BUY or SELL.
    public var side: Side?
    public var sizeMicros: UInt64
    public var limitPriceMicros: UInt64
    public var expectedPriceMicros: UInt64
    public var createdAtMillis: Int64
    public var ttlMillis: Int64
    public var timeInForce: TimeInForce
    public var postOnly: Bool
    public var strategy: String
    /// GTD: when the strategy wants the order off the book (unix ms); 0 otherwise.
    public var gtdExpiresAtMillis: Int64 = 0
    /// Market BUY by amount: pUSD to spend, micro-units; 0 for an order by size.
    public var amountMicros: UInt64 = 0
    /// A resting lifetime after which exec-proc cancels the order itself (ms); 0: none.
    public var maxRestMillis: Int64 = 0
    /// The id of the batch it came in (topic "batch"); empty for a single action.
    public var batchID = ""

    public init(id: String, market: String, tokenID: String, side: Side?, sizeMicros: UInt64, limitPriceMicros: UInt64,
                expectedPriceMicros: UInt64, createdAtMillis: Int64, ttlMillis: Int64, timeInForce: TimeInForce = .unspecified,
                postOnly: Bool = false, strategy: String = "") {
        self.id = id
        self.market = market
        self.tokenID = tokenID
        self.side = side
        self.sizeMicros = sizeMicros
        self.limitPriceMicros = limitPriceMicros
        self.expectedPriceMicros = expectedPriceMicros
        self.createdAtMillis = createdAtMillis
        self.ttlMillis = ttlMillis
        self.timeInForce = timeInForce
        self.postOnly = postOnly
        self.strategy = strategy
    }
}
