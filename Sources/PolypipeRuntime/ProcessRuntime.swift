import Foundation
import Logging
import Synchronization

/// What every long-running polypipe process does the same way: learn that it should stop,
/// say that it is ready, keep the systemd watchdog fed, and stop in order.
///
/// Rules:
/// - **Signals.** SIGTERM and SIGINT request a stop (``StopSource/signals()``); nothing else
///   ends a process cleanly. A process checks ``isStopRequested`` once per loop pass, and a
///   ``PollLoop`` also wakes on ``StopSource/fileDescriptor`` at once.
/// - **Readiness.** ``ready()`` is called once, when the process can do its job: it prints the
///   ready line on stdout (what `polypipe up` and the process tests wait for), then sends
///   `READY=1` for a `Type=notify` unit. Nothing is printed on stdout before it.
/// - **Watchdog.** A blocking loop calls ``watchdogIfDue(nowMillis:)`` every pass (``PollLoop``
///   does), so a hung loop stops the pings and systemd restarts the unit; async work is watched
///   by ``run(until:)``, which proves the task pool still schedules.
/// - **Shutdown.** ``shutdown(_:)`` sends `STOPPING=1`, then runs the given phases in
///   ``ShutdownPhase`` order, each once, logging one line per phase. A phase that throws is
///   logged and the next one still runs: a failed cancel-all must not leave the heartbeat
///   running or the last status unsent. A second call does nothing.
///
/// Thread safety: every member may be called from any thread; ``shutdown(_:)`` is meant for
/// the thread that ran the loop.
public final class ProcessRuntime: Sendable {
    /// The process (`exec-proc`), as in its ready status and logs.
    public let name: String
    public let stop: StopSource
    public let notifier: SystemdNotifier
    private let logger: Logger
    private let readyLine: @Sendable () -> Void
    private let shutdownStarted = Atomic<Bool>(false)

    /// - Parameters:
    ///   - stop: ``StopSource/signals()`` in a process.
    ///   - notifier: systemd's socket, from the environment by default (inactive outside systemd).
    ///   - readyLine: prints the ready line; `ready` and a newline on stdout by default.
    public init(name: String, logger: Logger, stop: StopSource, notifier: SystemdNotifier = SystemdNotifier(),
                readyLine: @escaping @Sendable () -> Void = ProcessRuntime.printReady) {
        self.name = name
        self.logger = logger
        self.stop = stop
        self.notifier = notifier
        self.readyLine = readyLine
    }

    /// `ready` and a newline on stdout: the line `polypipe up` waits for.
    public static let printReady: @Sendable () -> Void = { FileHandle.standardOutput.write(Data("ready\n".utf8)) }

    /// Whether SIGTERM/SIGINT (or the test's flag) asked the process to stop.
    public var isStopRequested: Bool { stop.isRequested() }

    /// The ready line, then `READY=1` with the status `<name> ready`. Call once.
    public func ready() {
        readyLine()
        notifier.ready(status: "\(name) ready")
    }

    /// `WATCHDOG=1` when half the watchdog period has passed (see ``SystemdNotifier``).
    public func watchdogIfDue(nowMillis: Int64) { notifier.watchdogIfDue(nowMillis: nowMillis) }

    /// Runs the graceful stop: `STOPPING=1`, then each phase present in `phases`, in
    /// ``ShutdownPhase`` order whatever the dictionary's order, each exactly once.
    /// - Returns: the phases that threw, with their errors (already logged).
    @discardableResult
    public func shutdown(_ phases: [ShutdownPhase: () throws -> Void]) -> [ShutdownPhase: any Error] {
        guard !shutdownStarted.exchange(true, ordering: .acquiringAndReleasing) else { return [:] }
        notifier.stopping()
        var failures: [ShutdownPhase: any Error] = [:]
        for phase in ShutdownPhase.allCases {
            guard let body = phases[phase] else { continue }
            let started = ContinuousClock.now
            do {
                try body()
                logger.notice("shutdown phase done", metadata: ["phase": "\(phase)", "duration_ms": "\(Self.millis(since: started))"])
            } catch {
                failures[phase] = error
                logger.error("shutdown phase failed", metadata: ["phase": "\(phase)", "error": "\(error)"])
            }
        }
        return failures
    }

    /// For a process whose work is a Swift concurrency task (signal-proc): waits for `work`,
    /// cancelling it when the stop is requested, and feeds the watchdog meanwhile. The stop is
    /// watched by a ``BackgroundWorker`` (a blocking wait has no place on the task pool), which
    /// is stopped and joined before this returns (within 100 ms).
    /// - Throws: what `work` throws.
    public func run(until work: Task<Void, any Error>) async throws {
        let stop = self.stop
        let notifier = self.notifier
        let watcher = BackgroundWorker(name: "stop-watch") { worker in
            while !worker.isStopRequested {
                if stop.wait(milliseconds: 100) {
                    notifier.stopping()
                    work.cancel()
                    return
                }
            }
        }
        watcher.start()
        let watchdog = Task { await notifier.feedWatchdogUntilCancelled() }
        defer {
            watchdog.cancel()
            watcher.stop()
            watcher.join()
        }
        try await work.value
    }

    private static func millis(since start: ContinuousClock.Instant) -> Int64 {
        let elapsed = ContinuousClock.now - start
        return elapsed.components.seconds * 1_000 + elapsed.components.attoseconds / 1_000_000_000_000_000
    }
}
