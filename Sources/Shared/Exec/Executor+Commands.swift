import Foundation
import Logging

/// Operator commands (halt, reduce-only, resume, cancel-all) and what the executor reports:
/// status, the recent order events and the orders that may be live, for snapshots.
extension Executor {
    // MARK: Operator commands

    /// HALT, REDUCE_ONLY, RESUME: persisted before it takes effect, and audited.
    public func setState(_ state: TradingState, reason: String) {
        try? journal.setTradingState(state)
        try? journal.audit(actionID: nil, decision: "state-\(state.rawValue)", detail: reason, nowMillis: clock())
        risk.set(state)
        stateReason = state == .running ? "" : reason
        logger.notice("trading state changed", metadata: ["state": "\(state.rawValue)", "reason": "\(reason)"])
    }

    /// Cancels every open order of this account on the venue (allowed in every state).
    public func cancelAll(reason: String) -> (canceled: [String], notCanceled: [String: String], error: String?) {
        try? journal.audit(actionID: nil, decision: "cancel-all", detail: reason, nowMillis: clock())
        guard configuration.mode != .dryRun else { return ([], [:], nil) }
        // Orders still waiting for the signer's order bucket are not sent at all: the cancel
        // neither waits behind them nor misses one sent after it (RL-07).
        sender?.withdrawWaiting()
        drainInFlight(timeoutMillis: configuration.drainTimeoutMillis)
        do {
            let result = try venue.cancelAll()
            let now = clock()
            for id in result.canceled {
                try? journal.update(orderHash: id, to: .canceled, reason: "cancel-all: \(reason)", nowMillis: now)
                if let order = live.removeValue(forKey: id.lowercased()) {
                    releaseExposure(of: order, matched: 0)
                }
            }
            logger.notice("cancel-all", metadata: ["canceled": "\(result.canceled.count)", "not_canceled": "\(result.notCanceled.count)", "reason": "\(reason)"])
            return (result.canceled, result.notCanceled, nil)
        } catch {
            logger.error("cancel-all failed", metadata: ["error": "\(error)"])
            return ([], [:], "\(error)")
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
        status.ordersUnknown = UInt64(pending.count)
        status.actionsRefused = counters.refused
        status.malformedMessages = counters.malformed
        status.openOrders = UInt64(live.count)
        status.totalExposureMicros = risk.totalExposure
        status.startedAtMs = startedAtMillis
        status.venueVersion = Int64(catalog.venueVersion)
        status.stateReason = stateReason
        return status
    }

    /// The latest event of each recent order (for snapshots).
    public var recentEvents: [Polypipe_Bus_V1_OrderEvent] { recent }

    /// Every order the journal believes may be on the venue — accepted and resting, outcome
    /// unknown, or still in flight — for the reconciler's orphan and missing-order checks.
    public var mayBeLiveOrders: [Polypipe_Bus_V1_JournalOrder] {
        let orders = Array(live.values) + pending.values.map(\.order) + inFlight.values.map(\.order)
        return orders.map { order in
            var message = Polypipe_Bus_V1_JournalOrder()
            message.orderID = order.orderID.lowercased()
            message.market = order.market
            message.createdAtMs = order.createdAtMillis
            return message
        }.sorted { $0.orderID < $1.orderID }
    }

    /// A malformed bus message was dropped.
    public func countMalformed() { counters.malformed += 1 }
}
