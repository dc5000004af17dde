#if canImport(Glibc)
import Glibc
#endif
import Logging
import PolypipeCore
import PolypipeRuntime

/// Runs the stack's children: starts them in order, each once the previous one is ready,
/// forwards their output, restarts failed ones, and stops them in reverse order.
///
/// A single thread drives everything from one loop (``run()``): `poll` on the children's output
/// pipes with a short tick, a non-blocking `waitpid` sweep, the pending SIGINT/SIGTERM/SIGHUP
/// (blocked, see ``PendingSignals``) and the timers (readiness, restart delay, stop, duration).
/// No state is shared with another thread, so none of it needs a lock.
///
/// Rules (systemd-like):
/// - a child not ready within ``Configuration/readyTimeout`` fails the stack;
/// - a child that exits non-zero or by a signal is restarted after the policy's delay, up to
///   the policy's limit, then the stack stops with an error; one that exits 0 is not restarted
///   (before it was ready, that fails the start);
/// - on a stop (signal, `--duration`, failure): SIGTERM to each child's process group in reverse
///   start order, waiting up to ``Configuration/stopTimeout`` for each before SIGKILL. A second
///   SIGINT/SIGTERM kills every child at once;
/// - a running stack also stops cleanly when ``Configuration/finishedWhen``'s line appears.
final class Supervisor {
    struct Configuration {
        var readyTimeout: Duration
        var stopTimeout: Duration
        /// Stop cleanly after this long (nil: until a signal).
        var duration: Duration?
        var restart: RestartPolicy
        /// How long one wait may last at most: bounds how late a signal or an exit is noticed.
        var tick: Duration = .milliseconds(100)
        /// On a requested or timed stop of a stack that was running: called once, just before
        /// the child named ``reportBefore`` is signalled — the children started after it have
        /// stopped, it and the earlier ones still run (the end-of-run report reads them). Keep
        /// it short: children's output is not drained meanwhile.
        var beforeStop: (() -> Void)?
        var reportBefore: String?
        /// Called once, when every child is ready (on the supervisor's thread; keep it short):
        /// `up --replay` releases clob-sim's held replay here.
        var onReady: ((StackContext) -> Void)?
        /// Stop cleanly, as `--duration` would, when this child prints a line containing this
        /// text (stdout or stderr) while the stack runs: the end of a replay.
        var finishedWhen: (child: String, lineContains: String)?
        /// Called (on the supervisor's thread; keep it short) when a child failed: restarted
        /// (`gaveUp` false) or not again (`gaveUp` true, the stack stops). `polypipe up
        /// --webhook` alerts the operator here.
        var onChildFailure: ((_ child: String, _ status: String, _ attempt: Int, _ gaveUp: Bool) -> Void)?
    }

    /// How the run ended.
    struct Outcome {
        /// Why the stack stopped abnormally (nil for a requested or timed stop).
        var failure: String?
        /// Whether every child stopped cleanly (exit 0, or SIGTERM while stopping).
        var cleanStop: Bool
        var succeeded: Bool { failure == nil && cleanStop }
    }

    private enum Phase: Equatable {
        /// Waiting for child `index` to be ready.
        case starting(index: Int)
        case running
        /// Stopping children from `cursor` down to 0.
        case stopping(cursor: Int)
        case finished
    }

    private let children: [SupervisedChild]
    private var context: StackContext
    private let environment: ChildEnvironment
    private let key: PrivateKey?
    private let configuration: Configuration
    private let logger: Logger
    private let clock = ContinuousClock()
    private var phase = Phase.starting(index: 0)
    private var failure: String?
    private var cleanStop = true
    /// A requested stop of a running stack owes ``Configuration/beforeStop`` one call.
    private var reportDue = false

    /// - Parameters:
    ///   - children: in start order.
    ///   - environment: the scrubbed environment every child starts from.
    ///   - key: handed (as `POLYMARKET_KEY`) to the children whose spec ``ChildSpec/holdsKey``.
    init(children: [SupervisedChild], context: StackContext, environment: ChildEnvironment, key: PrivateKey?,
         configuration: Configuration, logger: Logger) {
        self.children = children
        self.context = context
        self.environment = environment
        self.key = key
        self.configuration = configuration
        self.logger = logger
    }

    /// Runs the stack until it has stopped. Call once, on the main thread, before any other
    /// thread exists (signal blocking is per thread).
    func run() -> Outcome {
        var signals = PendingSignals()
        let stopAt = configuration.duration.map { clock.now + $0 }
        if let first = children.first { start(first) } else { phase = .finished }
        while phase != .finished {
            for signal in signals.take() { handle(signal: signal) }
            reap()
            let now = clock.now
            if let stopAt, now >= stopAt, !isStopping {
                logger.info("duration reached; stopping the stack")
                beginStop(failure: nil)
            }
            checkChildTimers(now: now)
            advanceStop(now: now)
            if phase == .finished { break }
            waitForOutput(until: nextDeadline(now: now, stopAt: stopAt))
        }
        return Outcome(failure: failure, cleanStop: cleanStop)
    }

    private var isStopping: Bool {
        switch phase {
        case .stopping, .finished: return true
        default: return false
        }
    }

    // MARK: - Starting

    private func start(_ child: SupervisedChild) {
        let arguments = child.spec.arguments(context)
        let secret = child.spec.holdsKey ? key.map { SecretVariable(name: "POLYMARKET_KEY", key: $0) } : nil
        do {
            child.process = try SpawnedProcess.spawn(executable: child.executable, arguments: arguments,
                                                     environment: environment, secret: secret)
        } catch {
            logger.error("cannot start child", metadata: ["child": "\(child.name)", "error": "\(error)"])
            child.state = .stopped(nil)
            beginStop(failure: "cannot start \(child.name): \(error)")
            return
        }
        child.stdoutLines = LineBuffer()
        child.stderrLines = LineBuffer()
        child.state = .starting(deadline: clock.now + configuration.readyTimeout)
        logger.info("child started", metadata: [
            "child": "\(child.name)", "pid": "\(child.process?.pid ?? 0)",
            "executable": "\(child.executable)", "key": "\(secret != nil ? "given" : "none")",
        ])
    }

    private func becameReady(_ child: SupervisedChild, _ signal: ChildSpec.ReadySignal) {
        if case .listening(let url, let port) = signal {
            if let previous = context.venueURL, previous != url {
                logger.warning("venue moved after a restart; children started earlier keep the old URL",
                               metadata: ["child": "\(child.name)", "venue": "\(url)", "previous": "\(previous)"])
            }
            context.venueURL = url
            context.venuePort = port
        }
        if case .dashboard(let url, let port) = signal {
            if context.dashboardURL != url { ConsoleOutput.announce("dashboard: \(url)") }
            context.dashboardURL = url
            context.dashboardPort = port
        }
        child.state = .ready
        logger.info("child ready", metadata: ["child": "\(child.name)", "pid": "\(child.process?.pid ?? 0)"])
        guard case .starting(let index) = phase, children[index] === child else { return }
        if index + 1 < children.count {
            phase = .starting(index: index + 1)
            start(children[index + 1])
        } else {
            phase = .running
            logger.info("stack ready", metadata: ["children": "\(children.count)"])
            ConsoleOutput.announce("stack ready")
            configuration.onReady?(context)
        }
    }

    // MARK: - Output

    private func waitForOutput(until deadline: ContinuousClock.Instant) {
        var descriptors: [pollfd] = []
        var owners: [(SupervisedChild, isStdout: Bool)] = []
        for child in children {
            guard let process = child.process else { continue }
            if process.stdoutDescriptor >= 0 {
                descriptors.append(pollfd(fd: process.stdoutDescriptor, events: Int16(POLLIN), revents: 0))
                owners.append((child, true))
            }
            if process.stderrDescriptor >= 0 {
                descriptors.append(pollfd(fd: process.stderrDescriptor, events: Int16(POLLIN), revents: 0))
                owners.append((child, false))
            }
        }
        let remaining = max(.zero, min(configuration.tick, deadline - clock.now))
        let milliseconds = Int32(remaining.components.seconds * 1_000 + remaining.components.attoseconds / 1_000_000_000_000_000)
        let ready = poll(&descriptors, nfds_t(descriptors.count), max(milliseconds, 1))
        guard ready > 0 else { return }
        for (index, descriptor) in descriptors.enumerated() where descriptor.revents != 0 {
            let (child, isStdout) = owners[index]
            pump(child, isStdout: isStdout, descriptor: descriptor.fd)
        }
    }

    /// Reads what `descriptor` has now and forwards the complete lines; closes it at EOF.
    private func pump(_ child: SupervisedChild, isStdout: Bool, descriptor: Int32) {
        guard let process = child.process else { return }
        guard let bytes = process.readAvailable(descriptor) else {
            let rest = isStdout ? child.stdoutLines.finish() : child.stderrLines.finish()
            if let rest { forward(child, rest, isStdout: isStdout) }
            process.close(descriptor: descriptor)
            return
        }
        let lines = isStdout ? child.stdoutLines.append(bytes) : child.stderrLines.append(bytes)
        for line in lines { forward(child, line, isStdout: isStdout) }
    }

    private func forward(_ child: SupervisedChild, _ line: String, isStdout: Bool) {
        ConsoleOutput.childLine(child.name, line)
        child.remember(line)
        if let url = ChildSpec.metricsURL(in: line), context.metricsURLs[child.name] != url {
            context.metricsURLs[child.name] = url
            ConsoleOutput.announce("metrics \(child.name): \(url)")
        }
        if let finish = configuration.finishedWhen, finish.child == child.name, phase == .running, line.contains(finish.lineContains) {
            logger.info("the run is over; stopping the stack", metadata: ["child": "\(child.name)", "line": "\(finish.lineContains)"])
            beginStop(failure: nil)
            return
        }
        guard isStdout, case .starting = child.state, !isStopping, let signal = child.spec.readySignal(in: line) else { return }
        becameReady(child, signal)
    }

    /// Reads everything a dead child left in its pipes, then closes them.
    private func drain(_ child: SupervisedChild) {
        guard let process = child.process else { return }
        for (descriptor, isStdout) in [(process.stdoutDescriptor, true), (process.stderrDescriptor, false)] where descriptor >= 0 {
            while let bytes = process.readAvailable(descriptor), !bytes.isEmpty {
                let lines = isStdout ? child.stdoutLines.append(bytes) : child.stderrLines.append(bytes)
                for line in lines { forward(child, line, isStdout: isStdout) }
            }
            if let rest = isStdout ? child.stdoutLines.finish() : child.stderrLines.finish() {
                forward(child, rest, isStdout: isStdout)
            }
        }
        process.closePipes()
    }

    // MARK: - Exits

    /// Collects every child that has exited (no zombies), then applies the restart rules.
    private func reap() {
        while true {
            var status: Int32 = 0
            let pid = waitpid(-1, &status, WNOHANG)
            guard pid > 0 else { return }
            guard let child = children.first(where: { $0.process?.pid == pid }) else { continue }
            exited(child, ExitStatus(waitStatus: status))
        }
    }

    private func exited(_ child: SupervisedChild, _ status: ExitStatus) {
        drain(child)
        let process = child.process
        child.process = nil
        // Anything the child started and left behind goes with it (systemd's KillMode=control-group).
        process?.signalGroup(SIGKILL)
        let metadata: Logger.Metadata = ["child": "\(child.name)", "pid": "\(process?.pid ?? 0)", "exit": "\(status)"]

        if case .stopping = child.state {
            child.state = .stopped(status)
            if status.isSuccess || status == .signaled(SIGTERM) {
                logger.info("child stopped", metadata: metadata)
            } else {
                cleanStop = false
                logger.warning("child stopped uncleanly", metadata: metadata)
            }
            return
        }
        let wasReady = child.state == .ready
        if isStopping {
            child.state = .stopped(status)
            if !status.isSuccess { cleanStop = false }
            logger.warning("child \(status.phrase) while the stack was stopping", metadata: metadata)
            return
        }
        if status.isSuccess {
            child.state = .stopped(status)
            guard wasReady else {
                logger.error("child exited with status 0 before it was ready", metadata: metadata)
                beginStop(failure: "\(child.name) exited with status 0 before it was ready; its last lines:\n\(child.tailBlock)")
                return
            }
            logger.info("child exited with status 0; not restarted", metadata: metadata)
            if children.allSatisfy({ if case .stopped = $0.state { return true } else { return $0.state == .idle } }) {
                logger.info("every child has exited; stopping")
                beginStop(failure: nil)
            }
            return
        }
        let limit = configuration.restart.limit
        switch child.history.decide(at: clock.now, policy: configuration.restart) {
        case .restart(let attempt):
            child.state = .restartPending(at: clock.now + configuration.restart.delay)
            logger.warning("child \(status.phrase); restarting (attempt \(attempt) of \(limit))", metadata: metadata)
            configuration.onChildFailure?(child.name, status.phrase, attempt, false)
        case .giveUp(let count):
            child.state = .stopped(status)
            let window = Self.seconds(configuration.restart.window)
            logger.error("child \(status.phrase); restart limit reached (\(count) restarts within \(window) s), stopping the stack",
                         metadata: metadata.merging(["child.last_lines": "\(child.tailSummary)"]) { $1 })
            configuration.onChildFailure?(child.name, status.phrase, count, true)
            beginStop(failure: "\(child.name) kept failing (\(count) restarts within \(window) s, last exit \(status)); its last lines:\n\(child.tailBlock)")
        }
    }

    // MARK: - Timers

    private func checkChildTimers(now: ContinuousClock.Instant) {
        guard !isStopping else { return }
        for child in children {
            switch child.state {
            case .starting(let deadline) where now >= deadline:
                let seconds = Self.seconds(configuration.readyTimeout)
                logger.error("child not ready in time; stopping the stack",
                             metadata: ["child": "\(child.name)", "timeout.seconds": "\(seconds)", "child.last_lines": "\(child.tailSummary)"])
                beginStop(failure: "\(child.name) was not ready within \(seconds) s; its last lines:\n\(child.tailBlock)")
                return
            case .restartPending(let at) where now >= at:
                start(child)
                if isStopping { return }
            default:
                continue
            }
        }
    }

    private func nextDeadline(now: ContinuousClock.Instant, stopAt: ContinuousClock.Instant?) -> ContinuousClock.Instant {
        var deadline = now + configuration.tick
        if let stopAt { deadline = min(deadline, stopAt) }
        for child in children {
            switch child.state {
            case .starting(deadline: let at), .restartPending(at: let at), .stopping(killAt: let at, killed: false): deadline = min(deadline, at)
            default: continue
            }
        }
        return deadline
    }

    // MARK: - Stopping

    private func handle(signal: Int32) {
        let name = ExitStatus.signalName(signal)
        if isStopping {
            logger.warning("second stop signal; killing every child now", metadata: ["signal": "\(name)"])
            for child in children where child.isRunning {
                child.process?.signalGroup(SIGKILL)
                child.state = .stopping(killAt: clock.now, killed: true)
            }
            cleanStop = false
            return
        }
        logger.info("stop requested", metadata: ["signal": "\(name)"])
        beginStop(failure: nil)
    }

    /// Starts the reverse-order stop; the first failure given is the one reported.
    private func beginStop(failure reason: String?) {
        if failure == nil, let reason { failure = reason }
        guard !isStopping else { return }
        for child in children {
            if case .restartPending = child.state { child.state = .stopped(nil) }
        }
        logger.info("stopping the stack", metadata: ["reason": "\(reason == nil ? "requested" : "failure")"])
        reportDue = reason == nil && phase == .running && configuration.beforeStop != nil
        phase = .stopping(cursor: children.count - 1)
    }

    /// Moves the stop along: SIGTERM to the next running child, SIGKILL when its time is up.
    private func advanceStop(now: ContinuousClock.Instant) {
        guard case .stopping(var cursor) = phase else { return }
        defer { phase = cursor < 0 ? .finished : .stopping(cursor: cursor) }
        while cursor >= 0 {
            let child = children[cursor]
            switch child.state {
            case .stopping(let killAt, let killed):
                guard child.isRunning else { child.state = .stopped(nil); cursor -= 1; continue }
                if !killed && now >= killAt {
                    logger.warning("child did not stop in time; killing it",
                                   metadata: ["child": "\(child.name)", "timeout.seconds": "\(Self.seconds(configuration.stopTimeout))"])
                    child.process?.signalGroup(SIGKILL)
                    child.state = .stopping(killAt: killAt, killed: true)
                    cleanStop = false
                }
                return
            case .starting, .ready:
                guard child.isRunning else { child.state = .stopped(nil); cursor -= 1; continue }
                if reportDue, configuration.reportBefore == nil || configuration.reportBefore == child.name {
                    reportDue = false
                    configuration.beforeStop?()
                }
                logger.info("stopping child", metadata: ["child": "\(child.name)", "pid": "\(child.process?.pid ?? 0)"])
                child.process?.signalGroup(SIGTERM)
                child.state = .stopping(killAt: now + configuration.stopTimeout, killed: false)
                return
            case .idle, .restartPending, .stopped:
                cursor -= 1
            }
        }
    }

    /// `60`, `0.5`: a duration in seconds as an operator would type it.
    static func seconds(_ duration: Duration) -> String {
        let (whole, fraction) = duration.components
        guard fraction != 0 else { return "\(whole)" }
        return "\(Double(whole) + Double(fraction) / 1e18)"
    }
}
