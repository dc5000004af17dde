import ArgumentParser
import Foundation
import Logging
import Bus
import Fills
import PolypipeMetrics
import PolypipeRuntime
import VenueClient

/// `fill-proc`: what actually happened to the orders exec-proc sent. Thin wiring over
/// the `Fills` library (``FillService``, ``FillTracker``, ``FillLedger``).
@main
struct FillProc: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fill-proc",
        abstract: "Track order status and fills: fill latency, slippage, positions and P&L.",
        discussion: """
        Follows exec-proc's order events (<runtime>/exec/events.sock, with a snapshot after any \
        gap) and reads the venue with a read-only API key: trades every --poll-interval-ms, open \
        orders and the status of orders that left the book, book mids for unrealized P&L, and \
        window resolutions; with --user-channel also the venue's user WebSocket (re-read from \
        REST after every reconnect).

        Fills are keyed by trade id and order id, so one trade seen on REST and on the socket, \
        or again after a restart, counts once. Settlement is followed MATCHED -> MINED -> \
        CONFIRMED; FAILED voids the fill and reverses its effect on position and P&L. Every \
        change is saved in SQLite (--store) before it is published: fills on \
        <runtime>/fill/events.sock ("fill", "position"); the whole state, with the execution \
        statistics, on <runtime>/fill/snapshot.sock (polypipe stats reads it).

        The venue credential is a JSON file {"address", "apiKey", "secret", "passphrase"}, mode \
        0600 or 0640 (--credentials; in the local stack exec-proc writes one with \
        --readonly-credentials-out). fill-proc never sees the private key.

        Prints "ready" on stdout once it tracks; logs go to stderr; SIGTERM or SIGINT stops it.
        """
    )

    @Option(help: "The venue: 'polymarket' (Polymarket's production hosts) or a simulator's base URL (e.g. clob-sim on http://127.0.0.1:8080).")
    var venue: String

    @Option(help: "Chain id: 137 (Polygon) or 80002 (Amoy).")
    var chainID: UInt64 = 137

    @Option(help: "Runtime directory of the bus sockets (default $RUNTIME_DIRECTORY).")
    var runtimeDir: String?

    @Option(help: "Fill store (SQLite) path. Default: $STATE_DIRECTORY/fills.sqlite, else <runtime-dir>/fill/fills.sqlite.")
    var store: String?

    @Option(help: "Venue credential file (read-only key). Default: $CREDENTIALS_DIRECTORY/venue-readonly, else <runtime-dir>/readonly-credentials.json.")
    var credentials: String?

    @Option(help: "Milliseconds between REST polls of trades and order states.")
    var pollIntervalMs: Int64 = 1_000

    @Option(help: "Also follow the venue's user WebSocket: 'venue' (the one --venue implies) or a ws(s):// URL (e.g. ws://127.0.0.1:8080/ws/user).")
    var userChannel: String?

    @Option(help: "Total timeout of one venue request in milliseconds.")
    var requestTimeoutMs: Int = 3_000

    @Option(help: ArgumentHelp("Serve Prometheus metrics at http://ADDRESS/metrics (loopback only: 127.0.0.1:PORT, port 0 for any free one). Default: not served.", valueName: "address"))
    var metricsAddress: String?

    func validate() throws {
        guard Chain(rawValue: chainID) != nil else { throw ValidationError("--chain-id must be 137 or 80002.") }
        do { _ = try VenueEndpoints(venue: venue) } catch { throw ValidationError(error.description + ".") }
        guard (100...60_000).contains(pollIntervalMs) else { throw ValidationError("--poll-interval-ms must be between 100 and 60000.") }
        if let userChannel, userChannel != "venue", !(userChannel.hasPrefix("ws://") || userChannel.hasPrefix("wss://")) {
            throw ValidationError("--user-channel must be 'venue' or a ws:// or wss:// URL.")
        }
        guard requestTimeoutMs >= 100 else { throw ValidationError("--request-timeout-ms must be at least 100.") }
    }

    func run() throws {
        ProcessLogging.bootstrap(identifier: "fill-proc")
        let logger = Logger(label: "polypipe.fill-proc")
        let environment = ProcessInfo.processInfo.environment
        guard let runtime = runtimeDir ?? environment["RUNTIME_DIRECTORY"] else {
            throw ValidationError("no runtime directory: pass --runtime-dir or run under systemd with RuntimeDirectory=.")
        }
        let layout = BusLayout(runtimeDirectory: runtime)
        let storePath = store ?? environment["STATE_DIRECTORY"].map { $0 + "/fills.sqlite" } ?? layout.fillDirectory + "/fills.sqlite"
        let credentialsPath = credentials ?? VenueCredentialsFile.defaultPath(runtimeDirectory: runtime, environment: environment)
        let endpoints = (try? VenueEndpoints(venue: venue)) ?? .localSimulator  // valid after validate()
        var settings = FillService.Settings(venueURL: endpoints.clob, chain: Chain(rawValue: chainID) ?? .polygon, layout: layout,
                                            storePath: storePath, credentialsPath: credentialsPath)
        settings.pollIntervalMillis = pollIntervalMs
        settings.userChannelURL = userChannel == "venue" ? endpoints.userSocket : userChannel
        settings.requestTimeoutMillis = requestTimeoutMs

        let metrics: ProcessMetrics
        do { metrics = try ProcessMetrics.start(address: metricsAddress.map { try LoopbackAddress($0) }, logger: logger) } catch {
            throw ValidationError("\(error)")
        }
        defer { metrics.stop() }
        let processRuntime = ProcessRuntime(name: "fill-proc", logger: logger, stop: .signals())
        do {
            try FillService(settings: settings, logger: logger).run(runtime: processRuntime)
        } catch {
            logger.critical("fill-proc cannot start", metadata: ["error": "\(error)"])
            throw ExitCode(1)
        }
    }
}
