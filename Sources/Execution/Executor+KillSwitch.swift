import Logging

/// The kill switch, applied (the rule and its timing: ``KillSwitch``).
///
/// Every halt goes through ``setState(_:reason:)`` or, for a journal failure,
/// `journalFailed` (which halts in memory without the journal): both record the debt with
/// ``KillSwitch/halted(reason:)``. ``enforceKillSwitch()`` pays it with ``cancelAll(reason:)``:
/// - at once, from `setState`, unless the executor is inside a cancel-all (which covers the
///   halt it caused) or settling answers of the order senders (a cancel-all drains those very
///   submissions);
/// - from exec-proc's loop, before each pass: the journal failure's halt (never cancelled from
///   inside the failing call: no recursion), a deferred one, and every retry after a failure.
extension Executor {
    /// Records that trading halted for `reason`: a cancel-all is owed.
    func noteHalt(reason: String) {
        killSwitch.halted(reason: reason)
    }

    /// Pays the cancel-all a halt owes, when one is owed and due; otherwise does nothing.
    /// exec-proc's loop calls it before every pass.
    /// - Returns: whether a cancel-all is still owed afterwards.
    @discardableResult
    public func enforceKillSwitch() -> Bool {
        guard risk.state == .halted else {
            killSwitch.left()
            return false
        }
        guard !cancellingAll, !settlingCompletions, let reason = killSwitch.due(nowMillis: clock()) else {
            return killSwitch.owed != nil
        }
        let result = cancelAll(reason: "kill switch (halted: \(reason))")
        if let error = result.error {
            killSwitch.failed(nowMillis: clock())
            logger.error("kill switch: cancel-all failed; orders may still rest, retrying", metadata: [
                "error": "\(error)", "attempts": "\(killSwitch.failedAttempts)", "retry_ms": "\(KillSwitch.retryMillis)",
            ])
        }
        return killSwitch.owed != nil
    }
}
