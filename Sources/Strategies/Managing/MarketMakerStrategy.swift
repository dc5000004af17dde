import MarketData
import PolypipeCore

/// A market maker for the Up/Down windows: a post-only bid on each outcome around the fair
/// value, skewed by inventory, requoted with a replace when the target moves, pulled before the
/// window ends.
///
/// Quoting both sides of a binary market without selling: a bid on Up at `fair − h − skew` and
/// a bid on Down at `(1 − fair) − h + skew`, where `h` is ``Configuration/halfSpread`` and
/// `skew = (Up shares − Down shares) × skewPerShare`. Buying Down at `1 − x` is the same
/// exposure as selling Up at `x`, and the two bids always sum to less than 1, so a fill on each
/// side locks in `2h` per share (fees aside). Long Up, the Up bid drops and the Down bid rises.
///
/// Rules, in order, on every market change:
/// 1. A new window: forget the last window's quotes (they were pulled) and its inventory.
/// 2. Fewer than ``Configuration/pullBeforeEndSeconds`` left: one cancel of every order of
///    ours in the market, repeated while any quote's fate is open; nothing new.
/// 3. An orphan (a quote whose fate is open) is cancelled by its action id before its slot
///    quotes again.
/// 4. Fair value: the model (``UpProbability``, as ``FairValueStrategy``) when the start price,
///    the reference price and a volatility are known, else the Up book's mid; neither → no
///    new quotes.
/// 5. Targets on the tick, inside `[tick, 1 − tick]`, one tick under the best ask (post-only
///    must not cross); a side whose inventory reached ``Configuration/maxInventory`` is not
///    quoted (its resting bid is cancelled).
/// 6. An empty slot places; a live quote whose target moved by ``Configuration/requoteThreshold``
///    or more is replaced (`placeIfFilled`: the skew already counts a fill); a slot waiting for
///    an answer waits. At most one command per slot per ``Configuration/minCommandIntervalMillis``.
///
/// Every quote carries ``Configuration/maxRestMillis``: if signal-proc dies, exec-proc pulls
/// the quotes itself.
public struct MarketMakerStrategy: ManagingStrategy {
    public struct Configuration: Sendable {
        public var size: Shares = Shares(micros: 10_000_000)
        public var halfSpread: Price = Price(micros: 20_000)
        public var requoteThreshold: Price = Price(micros: 10_000)
        /// Price micro-units of skew per share of net inventory.
        public var skewPerShare: Price = Price(micros: 1_000)
        public var maxInventory: Shares = Shares(micros: 50_000_000)
        public var pullBeforeEndSeconds: Int64 = 30
        public var minCommandIntervalMillis: Int64 = 1_000
        /// How long a command may go unanswered before its quote counts as an orphan.
        public var answerTimeoutMillis: Int64 = 15_000
        public var maxRestMillis: Int64 = 120_000
        public var ttlMillis: Int64 = 5_000

        public init() {}
    }

    /// What it has done, for the run's statistics.
    public struct Counters: Sendable, Hashable {
        public var places = 0
        public var replaces = 0
        public var cancels = 0
        public var fills = 0
    }

    public let name = "market-maker"
    public let wantsFeedback = true
    public let configuration: Configuration
    public let runID: Int64
    public private(set) var counters = Counters()
    /// Net shares bought on this window's Up and Down tokens (micro-units).
    public private(set) var inventory: (up: Int64, down: Int64) = (0, 0)

    private var market: UpDownMarket?
    /// The two quotes: a bid on each outcome token.
    enum Leg: CaseIterable, Sendable {
        case up, down
    }

    private var slots: [Leg: QuoteSlot] = [:]
    private var counter: UInt64 = 0
    private var pulledWith: (requestID: String, atMillis: Int64)?
    private var countedTrades: [String: Bool] = [:]   // trade id → voided
    private var filled: [String: Int64] = [:]          // action id → shares filled

    public init(configuration: Configuration = Configuration(), runID: Int64) {
        self.configuration = configuration
        self.runID = runID
    }

    // MARK: Feedback

    public mutating func observe(_ feedback: StrategyFeedback) {
        switch feedback {
        case .order(let actionID, let state):
            for side in Leg.allCases { slots[side]?.observeOrder(actionID: actionID, state) }
        case .cancel(let requestID, let state, _):
            for side in Leg.allCases { slots[side]?.observeCancel(requestID: requestID, state) }
            if pulledWith?.requestID == requestID, state == .unknown || state == .refused { pulledWith = nil }
        case .fill(let tradeID, let actionID, let tokenID, let side, let size, _, let voided):
            guard let market, tokenID == market.upToken.description || tokenID == market.downToken.description else { return }
            // Each trade counts once, and a void takes it back once (fill-proc repeats a trade at each settlement step).
            if let wasVoided = countedTrades[tradeID], wasVoided || !voided { return }
            let first = countedTrades[tradeID] == nil
            countedTrades[tradeID] = voided
            if voided && first { return }  // never counted
            let sign: Int64 = (side == .buy) != voided ? 1 : -1
            let shares = Int64(size.micros) * sign
            if tokenID == market.upToken.description { inventory.up += shares } else { inventory.down += shares }
            if !voided { counters.fills += 1 }
            filled[actionID, default: 0] += shares
            for leg in Leg.allCases {
                guard let quote = slots[leg].flatMap(Self.quote(of:)), quote.actionID == actionID,
                      filled[actionID, default: 0] >= Int64(quote.size.micros) else { continue }
                slots[leg]?.filledCompletely(actionID: actionID)
            }
        }
    }

    private static func quote(of slot: QuoteSlot) -> QuoteSlot.Quote? {
        switch slot.state {
        case .pending(let quote), .live(let quote): return quote
        default: return nil
        }
    }

    // MARK: Decisions

    public mutating func commands(for state: MarketState) -> [StrategyCommand] {
        let now = state.wallClockMillis
        if market?.conditionID != state.market.conditionID { startWindow(state.market) }
        for side in Leg.allCases { slots[side]?.expireWaiting(nowMillis: now, timeoutMillis: configuration.answerTimeoutMillis) }
        guard !state.market.closed else { return [] }
        if state.market.end * 1_000 - state.nowMillis <= configuration.pullBeforeEndSeconds * 1_000 { return pull(state, now: now) }
        guard state.market.acceptingOrders, state.nowMillis >= state.market.start * 1_000 else { return [] }

        var commands: [StrategyCommand] = []
        let targets = self.targets(state)
        for side in Leg.allCases {
            var slot = slots[side] ?? QuoteSlot()
            defer { slots[side] = slot }
            guard now - slot.lastCommandAtMillis >= configuration.minCommandIntervalMillis else { continue }
            let target = targets[side]
            switch slot.state {
            case .orphan(let quote):
                let id = nextID("c")
                slot.cancelSent(requestID: id, atMillis: now)
                counters.cancels += 1
                commands.append(.cancel(requestID: id, target: .action(quote.actionID), reason: "orphaned quote"))
            case .empty:
                guard let target else { continue }
                let proposal = self.proposal(leg: side, price: target, state: state, now: now)
                slot.placed(QuoteSlot.Quote(actionID: proposal.id, price: target, size: configuration.size), atMillis: now)
                counters.places += 1
                commands.append(.place(proposal))
            case .live(let quote):
                guard let target else {
                    let id = nextID("c")
                    slot.cancelSent(requestID: id, atMillis: now)
                    counters.cancels += 1
                    commands.append(.cancel(requestID: id, target: .action(quote.actionID), reason: "side not quoted"))
                    continue
                }
                let moved = target.micros > quote.price.micros ? target.micros - quote.price.micros : quote.price.micros - target.micros
                guard moved >= configuration.requoteThreshold.micros else { continue }
                let proposal = self.proposal(leg: side, price: target, state: state, now: now)
                slot.replaced(by: QuoteSlot.Quote(actionID: proposal.id, price: target, size: configuration.size), atMillis: now)
                counters.replaces += 1
                commands.append(.replace(cancel: .action(quote.actionID), place: proposal, placeIfFilled: true))
            case .pending, .replacing, .cancelling:
                continue
            }
        }
        return commands
    }

    /// The bid for each slot now (nil: do not quote it).
    func targets(_ state: MarketState) -> [Leg: Price] {
        guard let fair = fairValue(state) else { return [:] }
        let tick = Int64(state.market.tickSize.value.units(atScale: 6) ?? 10_000)
        guard tick > 0 else { return [:] }
        let net = inventory.up - inventory.down
        let skew = net * Int64(configuration.skewPerShare.micros) / 1_000_000
        let half = Int64(configuration.halfSpread.micros)
        var targets: [Leg: Price] = [:]
        for (side, raw, book, allowed) in [
            (Leg.up, Int64(fair) - half - skew, state.upBook, net < Int64(configuration.maxInventory.micros)),
            (Leg.down, 1_000_000 - Int64(fair) - half + skew, state.downBook, -net < Int64(configuration.maxInventory.micros)),
        ] where allowed {
            var price = raw.dividedRoundingDown(by: tick) * tick
            if let ask = book?.bestAsk?.price.micros, price >= Int64(ask) { price = Int64(ask) - tick }
            guard price >= tick, price <= 1_000_000 - tick else { continue }
            targets[side] = Price(micros: UInt64(price))
        }
        return targets
    }

    /// P(Up) in micro-units: the model when it can run, else the Up book's mid.
    func fairValue(_ state: MarketState) -> UInt64? {
        if let start = state.market.priceToBeat, let spot = state.spot, let sigma = state.sigmaPerSqrtSecond {
            let secondsLeft = Double(state.market.end * 1_000 - state.nowMillis) / 1_000
            return UpProbability.micros(UpProbability.probability(spot: spot, start: start, sigmaPerSqrtSecond: sigma, secondsLeft: secondsLeft))
        }
        return state.upBook?.mid?.micros
    }

    // MARK: Helpers

    private mutating func startWindow(_ next: UpDownMarket) {
        market = next
        slots = [.up: QuoteSlot(), .down: QuoteSlot()]
        inventory = (0, 0)
        pulledWith = nil
        countedTrades = [:]
        filled = [:]
    }

    /// Rule 2: one market-wide cancel, again only when its answer left something open. A quote
    /// still waiting for exec-proc's answer (placed, or replaced) is waited for first: an order
    /// accepted after the market's cancel would rest on unseen.
    private mutating func pull(_ state: MarketState, now: Int64) -> [StrategyCommand] {
        let open = Leg.allCases.contains { slots[$0]?.mayRest ?? false }
        guard open, !Leg.allCases.contains(where: { slots[$0]?.isAwaitingPlacement ?? false }) else { return [] }
        if let pulled = pulledWith, now - pulled.atMillis < configuration.answerTimeoutMillis { return [] }
        let id = nextID("c")
        pulledWith = (id, now)
        for side in Leg.allCases { slots[side]?.cancelSent(requestID: id, atMillis: now) }
        counters.cancels += 1
        return [.cancel(requestID: id, target: .market(state.market.conditionID), reason: "window ends in \(configuration.pullBeforeEndSeconds) s")]
    }

    private mutating func proposal(leg: Leg, price: Price, state: MarketState, now: Int64) -> ActionProposal {
        var proposal = ActionProposal(
            id: nextID(leg == .up ? "u" : "d"), market: state.market.conditionID,
            tokenID: leg == .up ? state.market.upToken : state.market.downToken, side: .buy, size: configuration.size,
            limitPrice: price, expectedPrice: price, createdAtMillis: now, ttlMillis: configuration.ttlMillis,
            timeInForce: .gtc, strategy: name, postOnly: true)
        proposal.maxRestMillis = configuration.maxRestMillis
        return proposal
    }

    private mutating func nextID(_ kind: String) -> String {
        counter += 1
        return "mm-\(market?.window.start ?? 0)-\(kind)-\(counter)-\(runID)"
    }
}

extension Int64 {
    fileprivate func dividedRoundingDown(by divisor: Int64) -> Int64 {
        let quotient = self / divisor
        return (self % divisor != 0 && (self < 0) != (divisor < 0)) ? quotient - 1 : quotient
    }
}
