import MarketData
/// A trading strategy: market state in, zero or more action proposals out.
///
/// Returning an empty array is HOLD (nothing is sent on the bus). A strategy keeps its own
/// memory (cooldowns, id counters) in its value, so `decide` is `mutating`; it never does I/O
/// and never reads a clock (time arrives in the state), which is what makes it testable.
public protocol Strategy: Sendable {
    /// The name stamped on every action (`Action.strategy`).
    var name: String { get }

    /// Decides on the current state of one market.
    mutating func decide(_ state: MarketState) -> [ActionProposal]
}

/// Everything a strategy may look at for one Up/Down window at one instant.
public struct MarketState: Sendable {
    public var market: UpDownMarket
    /// The local books of the Up and Down tokens (nil or invalid: not known right now).
    public var upBook: LocalOrderBook?
    public var downBook: LocalOrderBook?
    /// The latest reference price, when one has arrived.
    public var spot: SpotPrice?
    /// Realized volatility per √second, when enough ticks are known.
    public var sigmaPerSqrtSecond: Double?
    /// The venue's clock, unix milliseconds: window times are measured on it.
    public var nowMillis: Int64
    /// This host's clock, unix milliseconds: `created_at_ms` and cooldowns use it, because
    /// exec-proc judges an action's age on the same host clock (``BusClock``).
    public var wallClockMillis: Int64

    public init(market: UpDownMarket, upBook: LocalOrderBook?, downBook: LocalOrderBook?, spot: SpotPrice?,
                sigmaPerSqrtSecond: Double?, nowMillis: Int64, wallClockMillis: Int64? = nil) {
        self.wallClockMillis = wallClockMillis ?? nowMillis
        self.market = market
        self.upBook = upBook
        self.downBook = downBook
        self.spot = spot
        self.sigmaPerSqrtSecond = sigmaPerSqrtSecond
        self.nowMillis = nowMillis
    }
}
