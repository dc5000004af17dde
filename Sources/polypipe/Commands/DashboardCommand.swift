import ArgumentParser
import Bus
import Dashboard
import Foundation
import Hummingbird
import Logging
import PolypipeMetrics
import PolypipeRuntime
import ServiceLifecycle
import Synchronization

/// `polypipe dashboard`: a read-only web page of a running stack.
struct DashboardCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dashboard",
        abstract: "Serve a live web dashboard of a running stack on loopback (default http://127.0.0.1:5050).",
        discussion: """
        Follows the stack's bus (exec-proc's status and order events, fill-proc's fills and \
        positions, recon-proc's alarms and reports) after reading each process's snapshot, and \
        serves one page with: trading state, mode and venue heartbeat; open orders, recent \
        orders and fills; positions and P&L by asset, and P&L over time; fill rate and the \
        slippage distribution; latency percentiles per stage (action created → received → validated \
        → signed → journaled → sent → answered → first fill → confirmed); the signer's \
        rate-limit headroom; alarms. It updates live (server-sent events). \
        Everything is served from this binary: the host needs no internet.

        Read-only unless --control-token-file is given: then the page offers Halt and Cancel \
        all, which need that token (HTTP `Authorization: Bearer TOKEN`) and go to exec-proc's \
        control socket with a reason naming the dashboard. The token is read from a file, \
        never from the command line.

        /metrics merges the Prometheus metrics of every --metrics-url. `polypipe up` starts a \
        dashboard with its stack's addresses.

        Prints "dashboard: http://127.0.0.1:PORT" once listening. Runs until Ctrl-C or SIGTERM.
        """
    )

    @Option(help: ArgumentHelp(
        "The stack's runtime directory. Default: the stack `polypipe up` recorded, else /run/polypipe under systemd.",
        valueName: "path"))
    var runtimeDir: String?

    @Option(help: ArgumentHelp("Where to serve the page: 127.0.0.1:PORT (loopback only; port 0 picks a free one).", valueName: "address"))
    var address: String = "127.0.0.1:5050"

    @Option(name: .customLong("metrics-url"), help: ArgumentHelp("A process's /metrics URL to merge at /metrics. Repeatable.", valueName: "url"))
    var metricsURLs: [String] = []

    @Option(help: ArgumentHelp("A file holding the operator token (16+ characters) that enables the Halt and Cancel all buttons.", valueName: "path"))
    var controlTokenFile: String?

    func validate() throws {
        do { _ = try LoopbackAddress(address) } catch { throw ValidationError("--address: \(error)") }
        for url in metricsURLs where !(url.hasPrefix("http://127.0.0.1:") && url.hasSuffix("/metrics")) {
            throw ValidationError("--metrics-url must be a loopback /metrics URL like http://127.0.0.1:9101/metrics, got \(url).")
        }
    }

    func run() throws {
        LoggingSystem.bootstrap(StreamLogHandler.standardError)
        let logger = Logger(label: "polypipe.dashboard")
        let directory: String
        do { directory = try ControlCall.resolveRuntimeDirectory(runtimeDir) } catch {
            ConsoleOutput.error("polypipe dashboard: \(error)")
            throw ExitCode(2)
        }
        let layout = BusLayout(runtimeDirectory: directory)
        var configuration = DashboardServer.Configuration()
        let address = try LoopbackAddress(address)
        configuration.port = Int(address.port)
        configuration.metricsURLs = metricsURLs
        if let controlTokenFile {
            do { configuration.control = try DashboardControl(layout: layout, tokenFile: controlTokenFile) } catch {
                ConsoleOutput.error("polypipe dashboard: \(error)")
                throw ExitCode(2)
            }
        }
        let store = DashboardStore()
        let feed = try DashboardFeed(layout: layout, store: store, logger: logger)
        feed.start()
        defer { feed.stop() }
        let app = DashboardServer.application(store: store, configuration: configuration, logger: logger) { port in
            // Straight to fd 1: a parent (polypipe up) waits for this line.
            FileHandle.standardOutput.write(Data("dashboard: http://127.0.0.1:\(port)\n".utf8))
        }
        // The server runs on Swift concurrency's threads; this (main) thread waits for
        // SIGINT/SIGTERM, as every polypipe command does, then cancels it.
        StopSignals.install()
        let finished = DispatchSemaphore(value: 0)
        let failure = Mutex<String?>(nil)
        let group = ServiceGroup(configuration: .init(services: [app], logger: logger))
        Task {
            do { try await group.run() } catch { failure.withLock { $0 = "\(error)" } }
            finished.signal()
        }
        while !StopSignals.requested.load(ordering: .acquiring), finished.wait(timeout: .now() + .milliseconds(100)) == .timedOut {}
        Task { await group.triggerGracefulShutdown() }  // the server stops accepting, finishes, returns
        if finished.wait(timeout: .now() + .seconds(5)) == .timedOut { logger.warning("the server did not stop within 5 s") }
        if let failure = failure.withLock({ $0 }) {
            ConsoleOutput.error("polypipe dashboard: \(failure)")
            throw ExitCode(1)
        }
    }
}
