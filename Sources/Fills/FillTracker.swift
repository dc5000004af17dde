import Logging
import Bus
import PolypipeCore
import VenueClient

/// fill-proc's state and its inputs, without sockets or threads (``FillService`` owns those):
/// the ``FillLedger``, kept in step with exec-proc's order events and the venue's trades and
/// order states, every change saved to the ``FillStore`` and then published.
///
/// Single-threaded: fill-proc's loop calls it; the venue client blocks.
public final class FillTracker {
    public private(set) var ledger: FillLedger
    public private(set) var counters = Polypipe_Bus_V1_FillCounters()
    /// Our orders the venue listed as open at its last successful read.
    public private(set) var venueOpenOrderIDs: Set<OrderID> = []
    /// When every venue read of a poll last succeeded (unix ms; 0 = never).
    public private(set) var venueReadAtMillis: Int64 = 0
    /// Book mids of the tokens we hold, for unrealized P&L.
    public private(set) var marks: [PositionKey: Price] = [:]

    private let store: FillStore
    private let venue: ClobClient
    private let publisher: BusPublisher
    private let settings: FillService.Settings
    private let logger: Logger
    private var feesKnown: Set<String> = []
    /// Orders that matched on arrival, by lower-case id: when exec-proc had the venue's answer
    /// (unix ms). Their first match happened before it — a millisecond bound, where the venue's
    /// `match_time` has one-second resolution.
    private var answeredMatched: [OrderID: Int64] = [:]
    private var dirty = true
    /// Fed from each ingest and each publish (``FillMetrics``).
    private let metrics = FillMetrics()
    private var lastPublishedAtMillis: Int64 = 0
    private var lastMarkedAtMillis: Int64 = 0
    private var lastResolutionCheckAtMillis: Int64 = 0
    /// Name of the cursor saved with updates: the `after` (unix seconds) of the trade query.
    static let tradeCursor = "trades_after_seconds"

    public init(ledger: FillLedger, store: FillStore, venue: ClobClient, publisher: BusPublisher,
                settings: FillService.Settings, logger: Logger) {
        self.ledger = ledger
        self.store = store
        self.venue = venue
        self.publisher = publisher
        self.settings = settings
        self.logger = logger
    }

    // MARK: exec-proc's orders

    /// Tracks what exec-proc sent: an accepted or unknown order is ours to follow; a refused,
    /// duplicate or dry-run action never reached the venue. Idempotent (snapshots repeat events).
    public func apply(_ events: [Polypipe_Bus_V1_OrderEvent], nowMillis: Int64) {
        for event in events where !event.orderID.isEmpty {
            let orderID = OrderID(event.orderID)
            switch event.outcome {
            case .accepted, .unknown, .rejected, .canceled: break
            default: continue
            }
            guard let token = try? TokenID(decimal: event.tokenID) else {
                counters.dropped += 1
                logger.warning("order event with an unreadable token id; not tracked", metadata: ["order": "\(event.orderID)"])
                continue
            }
            let sentAt = event.sentAtNs > 0 ? Int64(event.sentAtNs / 1_000_000) : nil
            if ledger.order(orderID) == nil {
                let record = OrderRecord(orderID: orderID, actionID: event.actionID, market: event.market, token: token,
                                         side: event.side == .sell ? .sell : .buy, size: Shares(micros: event.sizeMicros),
                                         limitPrice: Price(micros: event.limitPriceMicros),
                                         expectedPrice: event.expectedPriceMicros > 0 ? Price(micros: event.expectedPriceMicros) : nil,
                                         createdAtMillis: event.actionCreatedAtMs > 0 ? event.actionCreatedAtMs : nowMillis)
                save(ledger.track(record))
            }
            if let sentAt { save(ledger.record(.submitted, orderID: orderID, atMillis: sentAt)) }
            if event.outcome == .accepted, VenueOrderStatus(text: event.venueStatus) == .matched, event.answeredAtNs > 0 {
                answeredMatched[orderID] = Int64(event.answeredAtNs / 1_000_000)
            }
            switch event.outcome {
            case .accepted: save(ledger.record(.accepted, orderID: orderID, atMillis: nowMillis))
            case .rejected: save(ledger.record(.rejected(reason: event.reason), orderID: orderID, atMillis: nowMillis))
            case .canceled: save(ledger.record(.cancelled, orderID: orderID, atMillis: nowMillis))
            default: break
            }
        }
    }

    // MARK: The venue

    /// One REST pass: trades since the cursor, our open orders, and the status of tracked orders
    /// that left the book; then marks and resolutions when due. A failed read is counted and
    /// retried at the next poll; what was read before it is kept.
    public func poll(nowMillis: Int64) {
        counters.polls += 1
        var complete = true
        let after = tradeQueryStart(nowMillis: nowMillis)
        do {
            for trade in try venue.trades(after: after) {
                learnFees(market: trade.market)
                save(ledger.ingest(refined(TradeObservation(trade: trade, source: .rest, observedAtMillis: nowMillis))))
            }
            try store.save(FillStore.Cursor(name: Self.tradeCursor, value: String(after)))
        } catch {
            complete = false
            counters.pollFailures += 1
            logger.warning("cannot read trades from the venue", metadata: ["error": "\(error)"])
        }
        do {
            let open = try venue.openOrders()
            venueOpenOrderIDs = Set(open.map(\.id).filter { ledger.order($0) != nil })
            for order in open where ledger.order(order.id) != nil {
                save(ledger.record(.venueStatus(order.status), orderID: order.id, atMillis: nowMillis))
            }
            // Tracked, sent, not final, not listed: ask what became of it.
            let gone = ledger.orders.filter { !$0.state.isTerminal && $0.stage != .pending && !venueOpenOrderIDs.contains($0.orderID) }
            for order in gone.prefix(settings.orderLookupsPerPoll) {
                if let found = try venue.order(id: order.orderID) {
                    save(ledger.record(.venueStatus(found.status), orderID: order.orderID, atMillis: nowMillis))
                }
            }
        } catch {
            complete = false
            counters.pollFailures += 1
            logger.warning("cannot read order states from the venue", metadata: ["error": "\(error)"])
        }
        if complete { venueReadAtMillis = nowMillis }
        if nowMillis - lastMarkedAtMillis >= settings.markIntervalMillis { mark(nowMillis: nowMillis) }
        if nowMillis - lastResolutionCheckAtMillis >= settings.resolutionCheckMillis { checkResolutions(nowMillis: nowMillis) }
    }

    /// Trades and order updates pushed on the user channel (already parsed JSON frames).
    public func applyUserChannel(_ messages: [JSONValue], nowMillis: Int64) {
        for message in messages {
            switch message["event_type"]?.scalarText {
            case "trade":
                if let market = message["market"]?.scalarText { learnFees(market: market) }
                if let observation = try? TradeObservation(json: message, source: .userChannel, observedAtMillis: nowMillis) {
                    save(ledger.ingest(refined(observation)))
                } else {
                    save(ledger.ingest(json: message, source: .userChannel, observedAtMillis: nowMillis))  // counted as malformed
                }
            case "order":
                guard let id = message["id"]?.scalarText else { counters.dropped += 1; continue }
                let type = message["type"]?.scalarText?.uppercased() ?? ""
                let event: OrderEvent? = type == "CANCELLATION" ? .cancelled : message["status"]?.scalarText.map(VenueOrderStatus.init(text:)).flatMap(OrderEvent.init(venueStatus:))
                if let event { save(ledger.record(event, orderID: OrderID(id), atMillis: nowMillis)) }
            default:
                continue  // pongs, errors, events of no interest
            }
        }
    }

    /// The trade with its match time narrowed for an order of ours that matched on arrival: its
    /// taker trades happened between sending and the venue's answer, so the answer's time (our
    /// clock, milliseconds) bounds the match better than `match_time` (the venue's clock, whole
    /// seconds, which can even read as before the order was sent).
    private func refined(_ observation: TradeObservation) -> TradeObservation {
        guard let answeredAt = answeredMatched[observation.taker.orderID] else { return observation }
        return TradeObservation(tradeID: observation.tradeID, market: observation.market, status: observation.status,
                                taker: observation.taker, makers: observation.makers, matchedAtMillis: answeredAt,
                                observedAtMillis: observation.observedAtMillis, source: observation.source)
    }

    /// Reads trades from a little before the oldest unsettled fill (their statuses still move),
    /// or from the last cursor, or from the lookback before now.
    private func tradeQueryStart(nowMillis: Int64) -> Int64 {
        let lookback = settings.tradeLookbackMillis
        var start = nowMillis - lookback
        if let oldest = ledger.fills.filter(\.isProvisional).map(\.matchedAtMillis).min() { start = min(start, oldest - lookback) }
        if venueReadAtMillis == 0, let saved = (try? store.cursor(named: Self.tradeCursor)).flatMap({ $0 }).flatMap(Int64.init) {
            start = min(start, saved * 1_000)  // first poll after a restart: resume where the last run read
        }
        return max(0, start / 1_000)
    }

    /// The fee curve of a market, read once (fees are fixed when a fill is first recorded).
    private func learnFees(market: String) {
        guard !market.isEmpty, !feesKnown.contains(market) else { return }
        do {
            ledger.setFeeSchedule(try venue.feeSchedule(conditionID: market), market: market)
            feesKnown.insert(market)
        } catch {
            logger.notice("cannot read the market's fee curve; its fills count no fee until it is read", metadata: ["market": "\(market)", "error": "\(error)"])
        }
    }

    private func mark(nowMillis: Int64) {
        lastMarkedAtMillis = nowMillis
        for position in ledger.positions where position.isOpen && !position.isResolved {
            if let mid = try? venue.book(position.key.token).mid { marks[position.key] = mid; dirty = true }
        }
    }

    /// Closes positions of markets the venue reports resolved, at $1 per winning share.
    private func checkResolutions(nowMillis: Int64) {
        lastResolutionCheckAtMillis = nowMillis
        let markets = Set(ledger.positions.filter { $0.isOpen && !$0.isResolved }.map(\.key.market))
        for market in markets.sorted() {
            guard let state = try? venue.resolution(conditionID: market), state.closed, let winner = state.winner else { continue }
            save(ledger.resolve(market: market, winner: winner, atMillis: nowMillis))
            logger.info("window resolved", metadata: ["market": "\(market)", "winner": "\(winner)"])
        }
    }

    // MARK: Saving and publishing

    /// Saves one ledger update, then publishes its fills. A store failure is logged loudly: the
    /// ledger is ahead of the disk until the next save succeeds (the venue still has the trades,
    /// and they are read again on restart).
    private func save(_ update: LedgerUpdate) {
        if let dropped = update.dropped, !dropped.isForeign {
            counters.dropped += 1
            logger.warning("dropped a trade", metadata: ["reason": "\(dropped)"])
        }
        counters.duplicates = UInt64(max(0, ledger.counters.duplicates))
        counters.tradesSeen = UInt64(max(0, ledger.counters.observations))
        counters.voided = UInt64(max(0, ledger.counters.voids))
        guard !update.isEmpty else { return }
        metrics.record(update) { [ledger] in ledger.latencyMillis(of: $0) }
        do { try store.save(update, counters: ledger.counters) } catch {
            logger.error("cannot save to the fill store", metadata: ["error": "\(error)"])
        }
        for fill in update.changedFills {
            _ = try? publisher.publish(topic: BusLayout.Topic.fill, message: busFill(fill))
            if fill.isVoided { logger.notice("fill voided (FAILED)", metadata: ["trade": "\(fill.key.tradeID)", "order": "\(fill.key.orderID)"]) }
        }
        dirty = true
    }

    /// Publishes positions after a change (at most every 200 ms) and at least every publish interval.
    public func publishIfDue(nowMillis: Int64) {
        let since = nowMillis - lastPublishedAtMillis
        guard (dirty && since >= 200) || since >= settings.publishIntervalMillis else { return }
        lastPublishedAtMillis = nowMillis
        dirty = false
        let published = state(includingFills: false)
        metrics.record(published)
        _ = try? publisher.publish(topic: BusLayout.Topic.position, message: published)
    }

    /// fill-proc's state as published (``includingFills``: for snapshot replies, with the
    /// execution statistics).
    public func state(includingFills: Bool) -> Polypipe_Bus_V1_FillState {
        var state = Polypipe_Bus_V1_FillState()
        state.source = publisher.source
        state.epoch = publisher.epoch
        state.sequence = publisher.sequence
        state.positions = ledger.positions.map(busPosition)
        state.orders = ledger.orders.map(Self.busOrder)
        state.venueOpenOrderIds = venueOpenOrderIDs.sorted().map(\.description)
        state.asOfMs = venueReadAtMillis
        state.counters = counters
        state.realizedPnlMicros = ledger.positions.reduce(0) { $0 + $1.realizedPnL.micros }
        if includingFills {
            state.fills = ledger.fills.map(busFill)
            state.statsJson = ExecutionStats(ledger: ledger, marks: marks).json
        }
        return state
    }

    private func busFill(_ fill: FillRecord) -> Polypipe_Bus_V1_Fill {
        var message = Polypipe_Bus_V1_Fill()
        message.tradeID = fill.key.tradeID
        message.orderID = fill.key.orderID.description
        message.actionID = ledger.order(fill.key.orderID)?.actionID ?? ""
        message.market = fill.market
        message.tokenID = fill.token.description
        message.side = fill.side == .buy ? .buy : .sell
        message.sizeMicros = fill.size.micros
        message.priceMicros = fill.price.micros
        message.settlement = Self.settlement(fill.status)
        message.taker = fill.role == .taker
        message.matchedAtMs = fill.matchedAtMillis
        message.latencyMs = ledger.latencyMillis(of: fill) ?? -1
        if let order = ledger.order(fill.key.orderID), let expected = order.expectedPrice, let slippage = ledger.slippage(of: fill) {
            message.expectedPriceMicros = expected.micros
            message.slippageMicros = slippage.perShare.micros
            message.hasSlippage_p = true
        }
        message.feeMicros = fill.fee.micros
        message.settlementChangedAtMs = fill.statusChangedAtMillis
        return message
    }

    private func busPosition(_ position: Position) -> Polypipe_Bus_V1_Position {
        var message = Polypipe_Bus_V1_Position()
        message.market = position.key.market
        message.tokenID = position.key.token.description
        message.sizeMicros = position.size.micros
        message.confirmedSizeMicros = position.confirmedSize.micros
        message.averagePriceMicros = position.averagePrice.micros
        message.realizedPnlMicros = position.realizedPnL.micros
        if let mark = marks[position.key] {
            message.markPriceMicros = mark.micros
            message.unrealizedPnlMicros = position.unrealizedPnL(mark: mark).micros
        }
        message.feesMicros = position.fees.micros
        message.resolved = position.isResolved
        message.fillCount = UInt32(clamping: position.fillCount)
        message.lastActivityMs = position.lastActivityMillis
        return message
    }

    static func busOrder(_ order: OrderRecord) -> Polypipe_Bus_V1_OrderStatus {
        var message = Polypipe_Bus_V1_OrderStatus()
        message.orderID = order.orderID.description
        message.actionID = order.actionID
        message.market = order.market
        message.tokenID = order.token.description
        message.side = order.side == .buy ? .buy : .sell
        message.sizeMicros = order.size.micros
        message.matchedMicros = order.filled.micros
        message.state = lifecycle(order.state)
        message.limitPriceMicros = order.limitPrice.micros
        message.expectedPriceMicros = order.expectedPrice?.micros ?? 0
        message.submittedAtMs = order.submittedAtMillis ?? 0
        message.updatedAtMs = order.updatedAtMillis
        return message
    }

    static func lifecycle(_ state: OrderState) -> Polypipe_Bus_V1_OrderLifecycle {
        switch state {
        case .pending: return .pending
        case .submitted: return .submitted
        case .open: return .open
        case .matched: return .matched
        case .filled: return .filled
        case .cancelled: return .cancelled
        case .rejected: return .rejected
        case .expired: return .expired
        }
    }

    static func settlement(_ status: TradeStatus) -> Polypipe_Bus_V1_Settlement {
        switch status {
        case .matched, .matchedNotBroadcasted: return .matched
        case .mined: return .mined
        case .confirmed: return .confirmed
        case .retrying, .other: return .retrying
        case .failed: return .failed
        }
    }
}
