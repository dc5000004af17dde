import Logging
import PolypipeCore

/// Plays a ``ReplayFile`` through the ``ActionOutlet``.
///
/// Two clocks:
/// - ``Clock/relative`` (the default): each entry is stamped with the send time
///   (`created_at_ms`) and, with pacing on, sent at its offset from the first entry. A restart
///   plays the file from the top again.
/// - ``Clock/wall``: the file is a schedule. `created_at_ms` is a Unix time; each entry is sent
///   at that time with that `created_at_ms`, so its TTL runs from the schedule. An entry whose
///   TTL has already run out is skipped (exec-proc would refuse it as expired); one that is due
///   but still valid is sent at once. A restarted signal-proc therefore picks the schedule up
///   where the clock is, and the entries it repeats carry the same action ids, which exec-proc
///   executes at most once.
///
/// Bad lines were already reported by the file parser; they are logged here once each.
public struct ReplayRunner: Sendable {
    public enum Clock: String, Sendable, CaseIterable {
        case relative, wall
    }

    /// What the wall clock says about one entry.
    public enum WallDecision: Equatable, Sendable {
        /// Not due yet: wait this many milliseconds.
        case wait(Int64)
        /// Due and still valid.
        case send
        /// Its TTL ran out before it could be sent.
        case expired
    }

    public let file: ReplayFile
    public let paced: Bool
    public let clock: Clock
    public let logger: Logger

    public init(file: ReplayFile, paced: Bool, clock: Clock = .relative, logger: Logger) {
        self.file = file
        self.paced = paced
        self.clock = clock
        self.logger = logger
    }

    /// The wall-clock rule for `proposal` at `nowMillis`: due at `created_at_ms`, valid until
    /// `created_at_ms + ttl_ms` (exclusive, as exec-proc counts expiry).
    public static func wallDecision(for proposal: ActionProposal, nowMillis: Int64) -> WallDecision {
        if nowMillis < proposal.createdAtMillis { return .wait(proposal.createdAtMillis - nowMillis) }
        return nowMillis < proposal.createdAtMillis + proposal.ttlMillis ? .send : .expired
    }

    /// Sends every entry, then waits until cancelled (a supervised process does not exit on
    /// its own).
    public func run(outlet: ActionOutlet, onReady: () -> Void) async {
        for error in file.errors {
            logger.warning("replay line skipped", metadata: ["replay.line": "\(error.line)", "error": "\(error.reason)"])
        }
        onReady()
        let started = ContinuousClock.now
        var sent = 0
        var expired = 0
        for entry in file.entries {
            if Task.isCancelled { return }
            var proposal = entry.proposal
            switch clock {
            case .relative:
                if paced {
                    let due = started + .milliseconds(entry.offsetMillis)
                    if due > .now { try? await Task.sleep(until: due, clock: .continuous) }
                    if Task.isCancelled { return }
                }
                proposal.createdAtMillis = BusClock.nowMillis()
            case .wall:
                var decision = Self.wallDecision(for: proposal, nowMillis: BusClock.nowMillis())
                while case .wait(let millis) = decision {
                    try? await Task.sleep(for: .milliseconds(millis))
                    if Task.isCancelled { return }
                    decision = Self.wallDecision(for: proposal, nowMillis: BusClock.nowMillis())
                }
                if decision == .expired {
                    expired += 1
                    continue
                }
            }
            outlet.send(proposal)
            sent += 1
        }
        logger.info("replay finished", metadata: ["replay.sent": "\(sent)", "replay.expired": "\(expired)", "replay.skipped": "\(file.errors.count)"])
        while !Task.isCancelled { try? await Task.sleep(for: .seconds(3600)) }
    }
}
