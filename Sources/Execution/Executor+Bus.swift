import Bus
import PolypipeCore
/// The process edge: the only part of the executor that speaks the bus's protobuf types.
/// exec-proc's loop hands it a decoded ``Polypipe_Bus_V1_Action``; it maps it to an
/// ``ExecAction`` for the core, and maps every ``OrderReport`` back to a
/// ``Polypipe_Bus_V1_OrderEvent`` for ``Executor/onEvent``, the snapshot and status replies.
extension Executor {
    /// Runs one bus action through the pipeline (the ``ExecAction`` overload does the work)
    /// and returns its event, also sent to ``onEvent``. An order handed to the ``sender``
    /// returns with no outcome yet (`unspecified`).
    @discardableResult
    public func handle(_ action: Polypipe_Bus_V1_Action, receivedAtNanos: UInt64) -> Polypipe_Bus_V1_OrderEvent {
        Polypipe_Bus_V1_OrderEvent(handle(ExecAction(action), receivedAtNanos: receivedAtNanos))
    }

    /// Sends a report to ``onEvent`` as a bus event.
    func publish(_ report: OrderReport) {
        onEvent(Polypipe_Bus_V1_OrderEvent(report))
    }

    /// Sends a cancel report to ``onCancelEvent`` as a bus event.
    func publish(_ report: CancelReport) {
        onCancelEvent(Polypipe_Bus_V1_CancelEvent(report))
    }

    /// Executes a strategy's cancel request (``cancel(_:requestID:reason:strategy:)``); a request
    /// that names no single well-formed target is refused, naming what was wrong.
    @discardableResult
    public func handle(_ request: Polypipe_Bus_V1_CancelRequest, receivedAtNanos: UInt64) -> Polypipe_Bus_V1_CancelEvent {
        let reason = request.reason.isEmpty ? "strategy cancel request" : request.reason
        do {
            let target = try CancelTarget.parse(orderID: request.orderID, actionID: request.actionID, market: request.market, tokenID: request.tokenID)
            return Polypipe_Bus_V1_CancelEvent(cancel(target, requestID: request.id, reason: reason, strategy: request.strategy))
        } catch {
            let report = CancelReport(requestID: request.id, strategy: request.strategy, atMillis: clock())
            return Polypipe_Bus_V1_CancelEvent(finishCancel(report, .refused, "invalid cancel request: \(error)"))
        }
    }

    /// Executes a replace request (``replace(_:receivedAtNanos:)``) and returns the new order's event.
    @discardableResult
    public func handle(_ request: Polypipe_Bus_V1_ReplaceRequest, receivedAtNanos: UInt64) -> Polypipe_Bus_V1_OrderEvent {
        let place = ExecAction(request.place)
        guard request.cancelOrderID.isEmpty != request.cancelActionID.isEmpty else {
            return Polypipe_Bus_V1_OrderEvent(refuseReplace(place: place, because: "set exactly one of cancel_order_id or cancel_action_id",
                                                            receivedAtNanos: receivedAtNanos))
        }
        do {
            let target = try CancelTarget.parse(orderID: request.cancelOrderID, actionID: request.cancelActionID, market: "", tokenID: "")
            return Polypipe_Bus_V1_OrderEvent(replace(ReplaceOrder(cancel: target, place: place, placeIfFilled: request.placeIfFilled),
                                                      receivedAtNanos: receivedAtNanos))
        } catch {
            return Polypipe_Bus_V1_OrderEvent(refuseReplace(place: place, because: "cancel_\(error)", receivedAtNanos: receivedAtNanos))
        }
    }

    // MARK: Status and snapshot

    public func status(mode: ExecMode, signer: EthereumAddress, venueURL: String, startedAtMillis: Int64) -> Polypipe_Bus_V1_ExecStatus {
        var status = Polypipe_Bus_V1_ExecStatus()
        switch risk.state {
        case .running: status.state = .running
        case .reducing: status.state = .reducing
        case .halted: status.state = .halted
        }
        status.mode = mode.rawValue
        status.venueHeartbeatOk = mode == .dryRun || health.isHealthy
        status.signerAddress = signer.checksummed
        status.venueURL = venueURL
        status.actionsReceived = counters.actionsReceived
        status.ordersAccepted = counters.accepted
        status.ordersRejected = counters.rejected
        status.ordersUnknown = UInt64(tracked.unknownCount)
        status.actionsRefused = counters.refused
        status.malformedMessages = counters.malformed
        status.openOrders = UInt64(tracked.liveCount)
        status.totalExposureMicros = risk.totalExposure
        status.startedAtMs = startedAtMillis
        status.venueVersion = Int64(catalog.venueVersion)
        status.stateReason = stateReason
        status.dailyRealizedPnlMicros = dailyPnL.todayMicros
        status.haltCancelsOrders = killSwitch.enabled
        status.ordersCanceled = counters.canceled + counters.ordersCanceled
        if let pacer = venue.rateLimits {
            let tier = pacer.tier, counts = pacer.statistics
            status.rateLimitTier = tier.rawValue
            status.rateLimitOrderTokens = UInt32(clamping: pacer.available(.orders))
            status.rateLimitOrderBurst = UInt32(clamping: tier.orders.burst)
            status.rateLimitCancelTokens = UInt32(clamping: pacer.available(.cancels))
            status.rateLimitCancelBurst = UInt32(clamping: tier.cancels.burst)
            status.rateLimitWaits = UInt64(clamping: counts.waits)
            status.rateLimitWaitedMs = UInt64(clamping: counts.waitedMillis)
            status.rateLimitStale = UInt64(clamping: counts.stale)
            status.rateLimitWithdrawn = UInt64(clamping: counts.withdrawn)
            status.rateLimitWarnings = UInt64(clamping: pacer.warningEpisodes)
        }
        return status
    }

    /// The latest event of each recent order (for snapshots).
    public var recentEvents: [Polypipe_Bus_V1_OrderEvent] { recent.map(Polypipe_Bus_V1_OrderEvent.init) }

    /// Every order that may be on the venue — accepted and resting, outcome unknown, or still in
    /// flight — for the reconciler's orphan and missing-order checks.
    public var mayBeLiveOrders: [Polypipe_Bus_V1_JournalOrder] {
        tracked.all.map { tracked in
            var message = Polypipe_Bus_V1_JournalOrder()
            message.orderID = tracked.order.orderID.description
            message.market = tracked.order.market
            message.createdAtMs = tracked.order.createdAtMillis
            return message
        }.sorted { $0.orderID < $1.orderID }
    }

    /// A malformed bus message was dropped.
    public func countMalformed() { counters.malformed += 1 }
}

extension ExecAction {
    /// The bus message's fields, as sent (an unset or unknown side is nil, refused by validation).
    public init(_ message: Polypipe_Bus_V1_Action) {
        let side: Side?
        switch message.side {
        case .buy: side = .buy
        case .sell: side = .sell
        case .unspecified, .UNRECOGNIZED: side = nil
        }
        let timeInForce: TimeInForce
        switch message.timeInForce {
        case .unspecified: timeInForce = .unspecified
        case .gtc: timeInForce = .gtc
        case .fok: timeInForce = .fok
        case .fak: timeInForce = .fak
        case .gtd: timeInForce = .gtd
        case .UNRECOGNIZED(let value): timeInForce = .unrecognized(value)
        }
        self.init(id: message.id, market: message.market, tokenID: message.tokenID, side: side, sizeMicros: message.sizeMicros,
                  limitPriceMicros: message.limitPriceMicros, expectedPriceMicros: message.expectedPriceMicros,
                  createdAtMillis: message.createdAtMs, ttlMillis: message.ttlMs, timeInForce: timeInForce,
                  postOnly: message.postOnly, strategy: message.strategy)
        gtdExpiresAtMillis = message.expiresAtMs
        amountMicros = message.amountMicros
        maxRestMillis = message.maxRestMs
    }
}

extension Polypipe_Bus_V1_OrderEvent {
    /// The bus event for a report.
    public init(_ report: OrderReport) {
        self.init()
        actionID = report.actionID
        orderID = report.orderID.description
        switch report.outcome {
        case .pending: outcome = .unspecified
        case .accepted: outcome = .accepted
        case .rejected: outcome = .rejected
        case .unknown: outcome = .unknown
        case .refused: outcome = .refused
        case .dryRun: outcome = .dryRun
        case .canceled: outcome = .canceled
        case .duplicate: outcome = .duplicate
        }
        reason = report.reason
        market = report.market
        tokenID = report.tokenID
        switch report.side {
        case .buy?: side = .buy
        case .sell?: side = .sell
        case nil: side = .unspecified
        }
        sizeMicros = report.sizeMicros
        limitPriceMicros = report.limitPriceMicros
        expectedPriceMicros = report.expectedPriceMicros
        venueStatus = report.venueStatus
        actionCreatedAtMs = report.actionCreatedAtMillis
        receivedAtNs = report.receivedAtNanos
        validatedAtNs = report.validatedAtNanos
        signedAtNs = report.signedAtNanos
        journaledAtNs = report.journaledAtNanos
        sentAtNs = report.sentAtNanos
        answeredAtNs = report.answeredAtNanos
        strategy = report.strategy
        tradeIds = report.tradeIDs
        switch report.timeInForce {
        case .unspecified: timeInForce = .unspecified
        case .gtc: timeInForce = .gtc
        case .fok: timeInForce = .fok
        case .fak: timeInForce = .fak
        case .gtd: timeInForce = .gtd
        case .unrecognized(let value): timeInForce = .UNRECOGNIZED(value)
        }
        expirationS = report.expirationSeconds
        amountMicros = report.amountMicros
        batchID = report.batchID
        replacesOrderID = report.replacesOrderID?.description ?? ""
    }
}

extension Polypipe_Bus_V1_CancelEvent {
    /// The bus event for a cancel report.
    public init(_ report: CancelReport) {
        self.init()
        requestID = report.requestID
        switch report.outcome {
        case .done: outcome = .cancelDone
        case .partial: outcome = .cancelPartial
        case .failed: outcome = .cancelFailed
        case .unknown: outcome = .cancelUnknown
        case .refused: outcome = .cancelRefused
        case .duplicate: outcome = .cancelDuplicate
        }
        canceled = report.canceled.map(\.description)
        notCanceled = Dictionary(uniqueKeysWithValues: report.notCanceled.map { ($0.key.description, $0.value) })
        reason = report.reason
        atMs = report.atMillis
        strategy = report.strategy
    }
}
