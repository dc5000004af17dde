import Foundation
import Logging
import PolypipeCore

/// Operator commands: halt, reduce-only, resume (persisted before they take effect) and
/// cancel-all (allowed in every state).
extension Executor {
    // MARK: Operator commands

    /// HALT, REDUCE_ONLY, RESUME: persisted before it takes effect, and audited.
    ///
    /// A change that loosens trading (resume; reduce-only from halted) takes effect only once
    /// both writes succeeded; if either fails, the ``JournalFailurePolicy`` halts trading and
    /// the change is refused. A change that tightens trading takes effect even then (it ends
    /// halted, the tightest state).
    /// - Returns: whether the requested state is now in effect.
    @discardableResult
    public func setState(_ state: TradingState, reason: String) -> Bool {
        let now = clock()
        let persisted = journaled(.audit, "persist trading state \(state.rawValue)") { try journal.setTradingState(state) } != nil
            && journaled(.audit, "audit trading state \(state.rawValue)") {
                try journal.audit(actionID: nil, decision: "state-\(state.rawValue)", detail: reason, nowMillis: now)
            } != nil
        guard persisted else {
            logger.error("trading state change not persisted; exec-proc stays halted",
                         metadata: ["state": "\(state.rawValue)", "reason": "\(reason)"])
            enforceKillSwitch()  // the journal failure halted trading
            return risk.state == state
        }
        risk.set(state)
        stateReason = state == .running ? "" : reason
        logger.notice("trading state changed", metadata: ["state": "\(state.rawValue)", "reason": "\(reason)"])
        // The kill switch: a halt cancels what rests (reduce-only does not); leaving the
        // halted state ends a cancel-all still owed (``KillSwitch``).
        if state == .halted { noteHalt(reason: reason) }
        enforceKillSwitch()
        return true
    }

    /// Cancels every open order of this account on the venue (allowed in every state, and
    /// whatever the journal does: a cancel only lowers risk).
    public func cancelAll(reason: String) -> (canceled: [OrderID], notCanceled: [OrderID: String], error: String?) {
        let wasCancelling = cancellingAll
        cancellingAll = true
        defer { cancellingAll = wasCancelling }
        journaled(.audit, "audit cancel-all") { try journal.audit(actionID: nil, decision: "cancel-all", detail: reason, nowMillis: clock()) }
        guard configuration.mode != .dryRun else { return ([], [:], nil) }
        // Orders still waiting for the signer's order bucket are not sent at all: the cancel
        // neither waits behind them nor misses one sent after it (RL-07).
        sender?.withdrawWaiting()
        drainInFlight(timeoutMillis: configuration.drainTimeoutMillis)
        do {
            let result = try venue.cancelAll()
            let now = clock()
            for id in result.canceled {
                // Live orders end here, published CANCELED like any cancel (strategies and
                // fill-proc learn it from the bus); one of unknown outcome is settled by its
                // own lookup.
                if let current = tracked[id], case .live = current.state {
                    settleCanceled(id, reason: "cancel-all: \(reason)", byCancelAll: true)
                } else {
                    journaled(.settlement, "mark order \(id) canceled (cancel-all)") {
                        try journal.update(orderHash: id.description, to: .canceled, reason: "cancel-all: \(reason)", nowMillis: now, audit: nil)
                    }
                }
            }
            counters.ordersCanceled += UInt64(result.canceled.count)
            killSwitch.succeeded()  // whatever halt came before, nothing of ours rests now
            logger.notice("cancel-all", metadata: ["canceled": "\(result.canceled.count)", "not_canceled": "\(result.notCanceled.count)", "reason": "\(reason)"])
            return (result.canceled, result.notCanceled, nil)
        } catch {
            logger.error("cancel-all failed", metadata: ["error": "\(error)"])
            return ([], [:], "\(error)")
        }
    }
}
