import Logging

/// Plays a ``ReplayFile`` through the ``ActionOutlet``: each entry is stamped with the send time
/// (`created_at_ms`), and with pacing on, sent at its offset from the first entry.
/// Bad lines were already reported by the file parser; they are logged here once each.
public struct ReplayRunner: Sendable {
    public let file: ReplayFile
    public let paced: Bool
    public let logger: Logger

    public init(file: ReplayFile, paced: Bool, logger: Logger) {
        self.file = file
        self.paced = paced
        self.logger = logger
    }

    /// Sends every entry, then waits until cancelled (a supervised process does not exit on
    /// its own).
    public func run(outlet: ActionOutlet, onReady: () -> Void) async {
        for error in file.errors {
            logger.warning("replay line skipped", metadata: ["replay.line": "\(error.line)", "error": "\(error.reason)"])
        }
        onReady()
        let started = ContinuousClock.now
        for entry in file.entries {
            if Task.isCancelled { return }
            if paced {
                let due = started + .milliseconds(entry.offsetMillis)
                if due > .now { try? await Task.sleep(until: due, clock: .continuous) }
                if Task.isCancelled { return }
            }
            var proposal = entry.proposal
            proposal.createdAtMillis = BusClock.nowMillis()
            outlet.send(proposal)
        }
        logger.info("replay finished", metadata: ["replay.sent": "\(file.entries.count)", "replay.skipped": "\(file.errors.count)"])
        while !Task.isCancelled { try? await Task.sleep(for: .seconds(3600)) }
    }
}
