import ArgumentParser
#if canImport(Glibc)
import Foundation
import Glibc
#endif
import Logging
import Bus
import MarketData
import PolypipeCore
import PolypipeMetrics
import PolypipeRuntime
import Reconciliation
import Upstream
import VenueClient

extension UpMode: ExpressibleByArgument {}
extension UpStrategy: ExpressibleByArgument {}

/// `polypipe up`: run the local stack (clob-sim, exec-proc, fill-proc, recon-proc, signal-proc), each child its own
/// process, supervised until Ctrl-C, SIGTERM or `--duration`.
struct Up: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "up",
        abstract: "Run the local stack: clob-sim, exec-proc, fill-proc, recon-proc and signal-proc, supervised.",
        discussion: """
        Children start in order, each once the previous one printed its ready line: clob-sim \
        ("listening on http://127.0.0.1:PORT"; its URL becomes every other child's --venue), \
        then exec-proc ("ready"; it writes a read-only venue credential for the two readers), \
        fill-proc, recon-proc, signal-proc (each "ready"), then the dashboard ("dashboard: URL"). \
        Their stdout and stderr appear on \
        this command's stderr, each line prefixed with [name]. stdout carries \
        "runtime dir: PATH" at start, "metrics NAME: URL" as each process serves its Prometheus \
        metrics (loopback; a restarted process keeps its port), "dashboard: URL" (the read-only \
        dashboard, started last; --no-dashboard leaves it out), "stack ready" once every child \
        is ready, and the end-of-run report.

        The key: read once from $CREDENTIALS_DIRECTORY/polymarket-key or POLYMARKET_KEY (which is \
        then scrubbed from this process's environment). Without one, paper mode makes a random \
        key for this run and logs only its address. The key is given to exec-proc alone, as \
        POLYMARKET_KEY in its spawn environment; no other child's environment and no argv ever \
        holds it. Live trading is not offered here.

        A child that exits non-zero or is killed by a signal is restarted after --restart-delay, \
        at most --restart-limit times within --restart-window; then the stack stops. A child \
        exiting 0 is not restarted. Ctrl-C, SIGTERM or --duration stop the children in reverse \
        order: SIGTERM, then SIGKILL after --stop-timeout. A second Ctrl-C kills them at once.

        The runtime directory is recorded in ${XDG_RUNTIME_DIR:-/tmp}/polypipe-$UID/current, so \
        `polypipe status`, `halt`, `resume`, `reduce-only` and `cancel-all` find it without flags.

        Paper on real markets: --mirror polymarket makes clob-sim mirror Polymarket's own \
        windows, books, trades and reference price (public data only; nothing is sent there, \
        no account is needed: a throwaway key is made) while our orders trade locally against \
        those books — the fills are estimates, see the README's mirror section. --mirror URL \
        does the same with another clob-sim; --replay FILE serves a `polypipe record` \
        recording on its own clock (--speed), held until every process is ready, and the \
        stack stops by itself after the last record. --window must be a length the upstream \
        lists (5m or 15m on Polymarket). --record-bus FILE writes everything the stack \
        publishes (see `polypipe record-bus --help`).

        When the stack stops on request, it prints fill-proc's execution statistics and \
        recon-proc's verdict (as `polypipe stats` does) before stopping the children.

        Exit status: 0 when the stack stopped on request, every child stopped cleanly and \
        recon-proc had no active alarm; 1 when it could not start, a child failed too often or \
        was not ready in time, a child had to be killed, or an alarm (an unexplained \
        discrepancy) was active at the end.
        """
    )

    @Option(help: ArgumentHelp("Stop cleanly after this many seconds (default: run until Ctrl-C or SIGTERM).", valueName: "seconds"))
    var duration: Double?

    @Option(help: ArgumentHelp("Directory for the stack's sockets, created mode 0700 if missing and kept afterwards. Default: a fresh temporary directory, removed when the stack stops.", valueName: "path"))
    var runtimeDir: String?

    @Flag(help: "Keep the temporary runtime directory when the stack stops (to inspect it).")
    var keepRuntimeDir = false

    @Option(help: "clob-sim's seed: the same seed gives the same venue (ids, agents, reference walk).")
    var seed: UInt64 = 1

    @Option(help: ArgumentHelp("signal-proc's order size in shares (decimal, e.g. 5 or 2.5).", valueName: "shares"))
    var size: String = "5"

    @Option(help: ArgumentHelp("The Up/Down window length signal-proc trades: 20s (clob-sim's own short windows, so a one-minute run sees windows resolve), 5m or 15m.", valueName: "length"))
    var window: String = UpDownWindow.Length.twentySeconds.rawValue

    @Option(help: ArgumentHelp("signal-proc's strategy: fair-value (buys when the book is below the model) or market-maker (post-only bids on both outcomes, requoted with replace, pulled before each window ends).", valueName: "name"))
    var strategy: UpStrategy = .fairValue

    @Option(help: ArgumentHelp("Paper-trade against an upstream's real books: polymarket (public data only) or another clob-sim's URL; clob-sim mirrors it.", valueName: "url"))
    var mirror: String?

    @Option(help: ArgumentHelp("Paper-trade over a recording (`polypipe record`) served by clob-sim on its own clock.", valueName: "file"))
    var replay: String?

    @Option(help: "With --replay: the replay clock runs this many times faster than real time. The stack stops by itself when the recording ends (or at --duration, if sooner).")
    var speed: Double = 1

    @Flag(inversion: .prefixedNo, help: "Start the read-only dashboard (`polypipe dashboard`) with the stack and print its URL.")
    var dashboard = true

    @Option(help: ArgumentHelp("The dashboard's port on 127.0.0.1 (0: any free one; a busy 5050 falls back to a free one).", valueName: "port"))
    var dashboardPort: Int = 5050

    @Option(help: ArgumentHelp("POST operator alerts here (Slack/Telegram-compatible JSON with a \"text\"): a child restarted or given up on (from this launcher), and recon-proc's alarms and exec-proc halts and heartbeat lapses (recon-proc gets the URL too). Repeats are suppressed for 10 minutes, and at most 10 alerts go out per minute.", valueName: "url"))
    var webhook: String?

    @Option(name: .customLong("record-bus"), help: ArgumentHelp(
        "Write everything the stack publishes (actions, order events, fills, positions, alarms, recon reports) to this new file, as `polypipe record-bus` does.",
        valueName: "file"))
    var recordBus: String?

    @Option(help: "exec-proc's mode: paper (sign and send to clob-sim) or dry-run (sign and log, never send). Live is not offered by up.")
    var mode: UpMode = .paper

    @Option(help: ArgumentHelp("exec-proc's journal file (default: exec-proc's own choice inside the runtime directory).", valueName: "path"))
    var journal: String?

    @Option(help: ArgumentHelp("How many restarts of one child are allowed within --restart-window before the stack gives up and stops.", valueName: "count"))
    var restartLimit: Int = 5

    @Option(help: ArgumentHelp("The window, in seconds, over which --restart-limit counts restarts.", valueName: "seconds"))
    var restartWindow: Double = 60

    @Option(help: ArgumentHelp("Delay before a failed child is started again (systemd's RestartSec).", valueName: "seconds"))
    var restartDelay: Double = 1

    @Option(help: ArgumentHelp("How long each child may take to print its ready line before the start fails.", valueName: "seconds"))
    var readyTimeout: Double = 60

    @Option(help: ArgumentHelp("How long each child may take to exit after SIGTERM before it is killed (SIGKILL).", valueName: "seconds"))
    var stopTimeout: Double = 10

    @Option(help: ArgumentHelp("Directory holding the children's executables (default: the directory of this polypipe binary).", valueName: "path"))
    var binDir: String?

    @Option(name: .customLong("child-command"), help: ArgumentHelp(
        "Advanced/testing: run PATH instead of the named child's executable (name is clob-sim, exec-proc or signal-proc). PATH gets the child's usual arguments, must print the same ready line, and is supervised the same way. Repeatable.",
        valueName: "name=path"))
    var childCommands: [String] = []

    func validate() throws {
        if let duration, !(duration > 0) { throw ValidationError("--duration must be a positive number of seconds.") }
        guard restartLimit >= 0 else { throw ValidationError("--restart-limit must be 0 or more.") }
        for (name, value) in [("--restart-window", restartWindow), ("--ready-timeout", readyTimeout), ("--stop-timeout", stopTimeout)] {
            guard value > 0 else { throw ValidationError("\(name) must be a positive number of seconds.") }
        }
        guard restartDelay >= 0 else { throw ValidationError("--restart-delay must be 0 or more seconds.") }
        guard (0...65_535).contains(dashboardPort) else { throw ValidationError("--dashboard-port must be between 0 and 65535.") }
        guard (try? MicroUnits.parse(size)).map({ $0 > 0 }) == true else {
            throw ValidationError("--size must be a positive number of shares with at most 6 decimals, like 5 or 2.5.")
        }
        guard UpDownWindow.Length(rawValue: window) != nil else { throw ValidationError("--window must be 20s, 5m or 15m, got \(window).") }
        guard mirror == nil || replay == nil else { throw ValidationError("--mirror and --replay exclude each other.") }
        guard speed > 0 else { throw ValidationError("--speed must be positive.") }
        if let mirror {
            let endpoints: VenueEndpoints
            do { endpoints = try VenueEndpoints(venue: mirror) } catch { throw ValidationError("--mirror: \(error)") }
            if endpoints.isProduction, window == UpDownWindow.Length.twentySeconds.rawValue {
                throw ValidationError("--mirror polymarket: Polymarket lists no 20s windows; pass --window 5m or --window 15m.")
            }
        }
        if let webhook, AlarmWebhook(url: webhook, payload: AlarmWebhookPayload(), logger: Logger(label: "validate")) == nil {
            throw ValidationError("--webhook must be an http(s) URL with a path, like https://hooks.example.com/T0/B0/x.")
        }
        if let recordBus, FileManager.default.fileExists(atPath: recordBus) {
            throw ValidationError("--record-bus: \(recordBus) exists; a recording is never overwritten.")
        }
        if let replay {
            let recording: RecordingReader
            do { recording = try RecordingReader(path: replay) } catch { throw ValidationError("--replay: \(error)") }
            guard recording.header.windows.contains(window) else {
                throw ValidationError("--replay: \(replay) holds \(recording.header.windows.joined(separator: ", ")) windows; pass --window with one of them.")
            }
        }
        _ = try overrides()
    }

    func run() throws {
        // Before anything else can copy the environment: make the process non-dumpable and take
        // the key out of it (KeyLoader scrubs POLYMARKET_KEY from the environment block).
        KeyLoader.hardenProcess()
        LoggingSystem.bootstrap(StreamLogHandler.standardError)
        let logger = Logger(label: "polypipe.up")
        let key = try LauncherKey.obtain(mode: mode, logger: logger)
        let environment = ChildEnvironment.current()

        let overrides = try overrides()
        let directory = binDir ?? ExecutableLocator.ownDirectory() ?? "."
        let children = StackDefinition.children.filter { dashboard || $0.name != "dashboard" }.map {
            SupervisedChild(spec: $0, executable: overrides[$0.name] ?? ExecutableLocator.executable(for: $0.binary ?? $0.name, directory: directory, overrides: [:]))
        }
        for child in children {
            guard access(child.executable, X_OK) == 0 else { throw UpError.executable(child: child.name, path: child.executable) }
        }

        let runtime = try RuntimeDirectory.prepare(requested: runtimeDir, keep: keepRuntimeDir)
        defer {
            if !runtime.removeIfTemporary() { logger.warning("could not remove the runtime directory", metadata: ["runtime.dir": "\(runtime.path)"]) }
        }
        ConsoleOutput.announce("runtime dir: \(runtime.path)")
        let current = CurrentStackFile.standard()
        do { try current.record(runtime.path) } catch {
            logger.warning("cannot record the current stack; control commands will need --runtime-dir", metadata: ["error": "\(error)"])
        }
        defer { current.clear(ifNaming: runtime.path) }
        logger.info("starting the stack", metadata: [
            "runtime.dir": "\(runtime.path)", "mode": "\(mode.rawValue)", "children": "\(children.map(\.name).joined(separator: ","))",
        ])

        var context = StackContext(runtimeDirectory: runtime.path, mode: mode, seed: seed, size: size, journal: journal)
        context.dashboardPort = Self.dashboardPort(dashboardPort, logger: logger)
        context.window = UpDownWindow.Length(rawValue: window) ?? .twentySeconds
        context.strategy = strategy
        context.upstream = mirror.map(UpstreamChoice.mirror) ?? replay.map { .replay(path: $0, speed: speed) }
        context.webhook = webhook
        var configuration = Supervisor.Configuration(
            readyTimeout: .seconds(readyTimeout), stopTimeout: .seconds(stopTimeout), duration: duration.map { .seconds($0) },
            restart: RestartPolicy(limit: restartLimit, window: .seconds(restartWindow), delay: .seconds(restartDelay)))
        // The end-of-run report: fill-proc's statistics and recon-proc's verdict, read while
        // they still run.
        let layout = BusLayout(runtimeDirectory: runtime.path)
        nonisolated(unsafe) var report: StackReport?  // written and read on this thread only (the supervisor's loop)
        // Once signal-proc has stopped (no new actions), orders still in flight get a moment
        // to be answered and their fills seen, then fill-proc and recon-proc are asked.
        configuration.reportBefore = "recon-proc"
        configuration.beforeStop = {
            usleep(1_500_000)
            report = StackReport.fetch(layout, timeoutMilliseconds: 3_000)
        }
        if replay != nil {
            // clob-sim holds the replay until every process is ready, and says when it is over.
            configuration.onReady = { context in Self.startReplay(venueURL: context.venueURL, logger: logger) }
            configuration.finishedWhen = (child: "clob-sim", lineContains: "replay finished")
        }
        // The launcher's own alerts: a child that failed (restarted, or given up on).
        let alerts = webhook.flatMap { AlarmWebhook(url: $0, payload: AlarmWebhookPayload(source: "polypipe up"), logger: logger) }
        alerts?.start()
        defer { alerts?.stop() }
        if let alerts {
            configuration.onChildFailure = { child, status, attempt, gaveUp in
                let now = Int64(Date().timeIntervalSince1970 * 1000)
                alerts.send(alert: gaveUp
                    ? OperatorAlert(kind: .processFailed, subject: child, message: "\(child) \(status) and kept failing (\(attempt) restarts); the stack is stopping", atMillis: now)
                    : OperatorAlert(kind: .processRestarted, subject: child, message: "\(child) \(status); restarted (attempt \(attempt))", atMillis: now))
            }
        }
        let supervisor = Supervisor(children: children, context: context, environment: environment, key: key,
                                    configuration: configuration, logger: logger)
        // Listening from before the first child starts, so the recording holds the whole run.
        let busRecorder = try recordBus.map { path in
            do { return try BusRecorder(layout: layout, path: path, logger: logger) } catch { throw UpError.busRecording("\(error)") }
        }
        busRecorder?.start()
        let outcome = supervisor.run()
        var recordingFailure: String?
        if let busRecorder {
            do { ConsoleOutput.announce(try busRecorder.stop().text) } catch { recordingFailure = "\(error)" }
        }
        logger.info("stack stopped", metadata: ["clean": "\(outcome.cleanStop)", "failed": "\(outcome.failure != nil)"])
        if let report {
            ConsoleOutput.announce(report.text)
            for problem in report.problems { logger.notice("end-of-run report incomplete", metadata: ["problem": "\(problem)"]) }
        }
        if let failure = outcome.failure { throw UpError.stackFailed(failure) }
        if let recordingFailure { throw UpError.busRecording(recordingFailure) }
        if !outcome.cleanStop { throw UpError.uncleanStop }
        if let reconciliation = report?.reconciliation, !reconciliation.inSync {
            throw UpError.unreconciled(reconciliation.active.map { "\($0.kind) \($0.subject)" })
        }
    }

    /// Releases clob-sim's held replay (`POST /admin/replay/start`). A failure is logged: the
    /// stack then waits on a held clock, which `--duration` or Ctrl-C ends.
    private static func startReplay(venueURL: String?, logger: Logger) {
        guard let venueURL else { return logger.error("cannot start the replay: clob-sim's URL is unknown") }
        do {
            let answer = try CurlTransport(baseURL: venueURL).send(HTTPRequest(method: "POST", target: "/admin/replay/start", body: Array("{}".utf8)))
            guard answer.status == 200, String(decoding: answer.body, as: UTF8.self).contains(#""started":true"#) else {
                return logger.error("clob-sim did not start a held replay", metadata: [
                    "status": "\(answer.status)", "answer": "\(String(decoding: answer.body.prefix(200), as: UTF8.self))",
                ])
            }
            logger.info("replay started")
        } catch {
            logger.error("cannot start the replay", metadata: ["error": "\(error)"])
        }
    }

    /// `port` if it is free, else (for the default 5050 only) any free one, with a warning.
    private static func dashboardPort(_ port: Int, logger: Logger) -> Int {
        guard port == 5050 else { return port }
        let probe = try? LoopbackAddress(port: UInt16(port)).listen()
        if let probe { close(probe.descriptor) }
        let free = probe != nil
        if !free { logger.warning("port 5050 is busy; the dashboard takes a free port (its URL is printed)") }
        return free ? port : 0
    }

    /// `--child-command name=path` as a dictionary.
    private func overrides() throws -> [String: String] {
        var result: [String: String] = [:]
        for entry in childCommands {
            let parts = entry.split(separator: "=", maxSplits: 1).map(String.init)
            guard parts.count == 2, !parts[1].isEmpty else {
                throw ValidationError("--child-command takes name=path, got '\(entry)'.")
            }
            guard StackDefinition.names.contains(parts[0]) else {
                throw ValidationError("--child-command: unknown child '\(parts[0])'; the children are \(StackDefinition.names.joined(separator: ", ")).")
            }
            result[parts[0]] = parts[1]
        }
        return result
    }
}
