import Logging

/// The ``JournalFailurePolicy``, applied: every journal call of the executor goes through
/// ``journaled(_:_:_:)`` or, where the caller must know it failed, reports to
/// ``journalFailed(_:_:_:)``. No journal call in `Exec/` swallows its error anywhere else.
extension Executor {
    /// Runs one journal call; nil when it failed, after the policy's consequences (logged,
    /// counted, trading halted).
    @discardableResult
    func journaled<T>(_ call: JournalCall, _ what: @autoclosure () -> String, _ body: () throws -> T) -> T? {
        do { return try body() } catch {
            journalFailed(call, what(), error)
            return nil
        }
    }

    /// Applies the policy to one failed call: logged at `critical`, counted, and trading halted
    /// in memory at once. Refusing the action at hand (``JournalCall/order``) is the caller's
    /// part, since only it can stop the send.
    func journalFailed(_ call: JournalCall, _ what: String, _ error: any Error) {
        counters.journalFailures += 1
        logger.critical("journal call failed", metadata: [
            "journal.call": "\(call)", "journal.operation": "\(what)", "error": "\(error)", "state": "\(risk.state.rawValue)",
        ])
        guard JournalFailurePolicy.consequence(of: call).haltsTrading, risk.state != .halted else { return }
        risk.set(.halted)
        stateReason = "journal unavailable (\(call): \(what) failed: \(error)); fix the journal, then polypipe resume"
        logger.critical("trading halted: the journal failed", metadata: ["journal.call": "\(call)"])
        // The kill switch's cancel-all is owed, and paid by the loop's next pass (or at once by
        // the setState this failure interrupted) — never from inside this failing call.
        noteHalt(reason: stateReason)
        // The halt is persisted if the journal still takes this one write; if it does not,
        // exec-proc is halted in memory and the failure is already logged and counted. This
        // is the only journal error in `Exec/` not routed back through the policy: routing it
        // would only repeat this halt.
        try? journal.setTradingState(.halted)
    }
}
