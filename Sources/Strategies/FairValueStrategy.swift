import PolypipeCore
/// The default strategy for BTC Up/Down windows: buy an outcome when the book sells it for
/// clearly less than the model says it is worth.
///
/// With `P = P(Up)` from ``UpProbability`` (start price = the window's `priceToBeat`):
/// - BUY Up when Up's best ask `< P − (edge + fee)`;
/// - BUY Down when Down's best ask `< (1 − P) − (edge + fee)`.
///
/// The comparison is in exact micro-units: `P` is rounded down to micro-units first
/// (``UpProbability/micros(_:)``), `1 − P` likewise, and both sides are integers. The expected
/// price is that best ask, which is on the market's tick by construction (the venue only holds
/// on-tick prices; an ask off the tick in force is skipped). The limit price is the best ask
/// too, unless ``Configuration/maxSlippage`` allows paying more: then it is up to that much
/// above the ask, on the tick, and always strictly below `value − (edge + fee)`, so every share
/// still clears the margin. The allowance matters where marketable orders wait out a taker
/// delay (spec §9): the book may move before they match.
///
/// Guards, each a HOLD: no start price yet, no volatility estimate yet, no reference price, the
/// window not started or not accepting orders, fewer than ``Configuration/stopBeforeEndSeconds``
/// left, a book that is invalid (after `tick_size_change`) or empty, and a decision on the same
/// token less than ``Configuration/cooldownMillis`` ago (at most one open decision per token per
/// cooldown, so a persistent mispricing does not flood exec-proc).
///
/// Ids are `fv-<window start>-<last 6 digits of the token>-<counter>-<run id>`; the run id is
/// the process start time in ms, so ids never repeat across restarts.
public struct FairValueStrategy: Strategy {
    public struct Configuration: Sendable {
        /// Shares per action.
        public var size: Shares
        /// Required margin below fair value, in price micro-units (0.01 = 10 000).
        public var edge: Price
        /// Expected fee per share, in price micro-units, added to the margin.
        public var fee: Price
        public var ttlMillis: Int64
        public var stopBeforeEndSeconds: Double
        public var cooldownMillis: Int64
        public var timeInForce: ActionProposal.TimeInForce
        /// How far above the best ask the limit may go (0: the limit is the ask).
        public var maxSlippage: Price

        public init(size: Shares = Shares(micros: 10_000_000), edge: Price = Price(micros: 10_000), fee: Price = Price(micros: 0),
                    ttlMillis: Int64 = 5_000, stopBeforeEndSeconds: Double = 15, cooldownMillis: Int64 = 10_000,
                    timeInForce: ActionProposal.TimeInForce = .gtc, maxSlippage: Price = Price(micros: 0)) {
            self.size = size
            self.edge = edge
            self.fee = fee
            self.ttlMillis = ttlMillis
            self.stopBeforeEndSeconds = stopBeforeEndSeconds
            self.cooldownMillis = cooldownMillis
            self.timeInForce = timeInForce
            self.maxSlippage = maxSlippage
        }
    }

    public let name = "fair-value"
    public let configuration: Configuration
    /// Distinguishes this process's ids from every earlier run's (process start, unix ms).
    public let runID: Int64
    private var counter: UInt64 = 0
    private var lastDecision: [TokenID: Int64] = [:]
    /// The last computed P(Up), for logging; nil when a guard held before the model ran.
    public private(set) var lastProbability: Double?

    public init(configuration: Configuration, runID: Int64) {
        self.configuration = configuration
        self.runID = runID
    }

    public mutating func decide(_ state: MarketState) -> [ActionProposal] {
        lastProbability = nil
        let market = state.market
        guard market.acceptingOrders, !market.closed,
              state.nowMillis >= market.start * 1000,
              let start = market.priceToBeat, let spot = state.spot,
              let sigma = state.sigmaPerSqrtSecond else { return [] }
        let secondsLeft = Double(market.end * 1000 - state.nowMillis) / 1000
        guard secondsLeft > configuration.stopBeforeEndSeconds else { return [] }

        let probability = UpProbability.probability(spot: spot, start: start, sigmaPerSqrtSecond: sigma, secondsLeft: secondsLeft)
        lastProbability = probability
        let upFair = UpProbability.micros(probability)
        let downFair = UpProbability.micros(1 - probability)
        let margin = configuration.edge.micros + configuration.fee.micros

        var proposals: [ActionProposal] = []
        for (token, book, fair) in [(market.upToken, state.upBook, upFair), (market.downToken, state.downBook, downFair)] {
            guard let ask = book?.bestAsk, fair > margin, ask.price.micros < fair - margin else { continue }
            let tick = UInt64(book?.tickSize?.value.units(atScale: 6) ?? market.tickSize.value.units(atScale: 6) ?? 10_000)
            guard tick > 0, ask.price.micros % tick == 0, ask.price.micros > 0 else { continue }
            if let last = lastDecision[token], state.wallClockMillis - last < configuration.cooldownMillis { continue }
            lastDecision[token] = state.wallClockMillis
            // The highest tick price still strictly below `fair − margin` is at or above the ask.
            let ceiling = (fair - margin - 1) / tick * tick
            let limit = max(ask.price.micros, min((ask.price.micros + configuration.maxSlippage.micros) / tick * tick, ceiling))
            counter += 1
            let suffix = String(token.description.suffix(6))
            proposals.append(ActionProposal(
                id: "fv-\(market.window.start)-\(suffix)-\(counter)-\(runID)", market: market.conditionID, tokenID: token,
                side: .buy, size: configuration.size, limitPrice: Price(micros: limit), expectedPrice: ask.price,
                createdAtMillis: state.wallClockMillis, ttlMillis: configuration.ttlMillis, timeInForce: configuration.timeInForce,
                strategy: name))
        }
        return proposals
    }
}
