import ArgumentParser
import Foundation
import Logging
import Bus
import PolypipeCore
import PolypipeMetrics
import PolypipeRuntime
import Reconciliation
import VenueClient

/// `recon-proc`: paper vs actual positions, journal vs venue open orders, alarms and the auto
/// kill switch. Thin wiring over the `Reconciliation` library (``ReconService``, ``ReconCycle``, ``Reconciler``).
@main
struct ReconProc: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "recon-proc",
        abstract: "Reconcile expected (paper) with actual positions and orders; raise alarms; halt trading on serious ones.",
        discussion: """
        Every --cycle-ms it compares (1) paper positions — each action exec-proc accepted, taken \
        in full at its expected price, corrected only by what the venue says of its order \
        (resting: matched so far; ended: what it filled) — with actual positions from \
        fill-proc's fills, and (2) exec-proc's journal of orders that may be live with the \
        venue's open orders (read with the read-only key).

        Alarms: position_mismatch (size difference x price >= --size-threshold, or average \
        prices apart by >= --price-threshold), ghost_fill (such a difference explained by fills \
        the venue reported FAILED), orphan_order (on the venue, not in the journal), \
        missing_order (in the journal, never seen by the venue), stale_input (an input older \
        than --stale-after-ms), daily_loss (realized losses since the start of the UTC day \
        reached --daily-loss-limit). Differences under --dust shares are ignored; anything younger \
        than --grace-ms (provisional fills, new orders) is not yet a discrepancy. Each alarm is \
        raised once and cleared once per episode: logged, published on \
        <runtime>/recon/events.sock ("alarm"), and POSTed to --webhook when set.

        With --halt-at critical (default) an active critical alarm halts exec-proc (no new \
        orders; cancels still work); resuming is the operator's call (polypipe resume).

        Prints "ready" on stdout; logs to stderr; SIGTERM or SIGINT stops it.
        """
    )

    @Option(help: "The venue: 'polymarket' (Polymarket's production hosts) or a simulator's base URL (e.g. clob-sim on http://127.0.0.1:8080).")
    var venue: String

    @Option(help: "Chain id: 137 (Polygon) or 80002 (Amoy).")
    var chainID: UInt64 = 137

    @Option(help: "Runtime directory of the bus sockets (default $RUNTIME_DIRECTORY).")
    var runtimeDir: String?

    @Option(help: "Venue credential file (read-only key). Default: $CREDENTIALS_DIRECTORY/venue-readonly, else <runtime-dir>/readonly-credentials.json.")
    var credentials: String?

    @Option(help: "Milliseconds between reconciliation cycles.")
    var cycleMs: Int64 = 10_000

    @Option(help: "Position size difference, in pUSD at the position's price, that alarms (inclusive).")
    var sizeThreshold: String = "1"

    @Option(help: "Average-price difference that alarms (inclusive).")
    var priceThreshold: String = "0.05"

    @Option(help: "Share differences below this are dust and ignored.")
    var dust: String = "0.01"

    @Option(help: "Milliseconds a difference may last after the latest activity (a fill settling, a new order) before it alarms.")
    var graceMs: Int64 = 30_000

    @Option(help: "Milliseconds after which an input that has not been refreshed is stale.")
    var staleAfterMs: Int64 = 30_000

    @Option(help: "Halt exec-proc while an alarm of at least this severity is active: critical, warning, info, or never.")
    var haltAt: String = "critical"

    @Option(help: "Realized loss (pUSD) since the start of the UTC day that raises daily_loss (critical: halts exec-proc). 'off' disables it.")
    var dailyLossLimit: String = "100"

    @Option(help: "POST each alarm raise and clear here (JSON with a Slack/Telegram-compatible \"text\").")
    var webhook: String?

    @Option(help: "Telegram chat id to put in the webhook body (chat_id).")
    var webhookChatID: String?

    @Option(help: ArgumentHelp("Serve Prometheus metrics at http://ADDRESS/metrics (loopback only: 127.0.0.1:PORT, port 0 for any free one). Default: not served.", valueName: "address"))
    var metricsAddress: String?

    func validate() throws {
        guard Chain(rawValue: chainID) != nil else { throw ValidationError("--chain-id must be 137 or 80002.") }
        guard venue.hasPrefix("http://") || venue.hasPrefix("https://") else { throw ValidationError("--venue must be an http(s) URL.") }
        guard cycleMs >= 100 else { throw ValidationError("--cycle-ms must be at least 100.") }
        _ = try policy()
        if let webhook, !(webhook.hasPrefix("http://") || webhook.hasPrefix("https://")) || webhook.split(separator: "/").count < 3 {
            throw ValidationError("--webhook must be an http(s) URL with a path.")
        }
    }

    func policy() throws -> ReconciliationPolicy {
        func amount(_ text: String, _ flag: String) throws -> UInt64 {
            guard let value = try? MicroUnits.parse(text) else { throw ValidationError("\(flag): \(text) is not a decimal amount with at most 6 decimals.") }
            return value
        }
        let halt: Severity?
        if haltAt == "never" { halt = nil } else {
            guard let severity = Severity(rawValue: haltAt) else { throw ValidationError("--halt-at must be critical, warning, info or never.") }
            halt = severity
        }
        guard graceMs >= 0, staleAfterMs > 0 else { throw ValidationError("--grace-ms and --stale-after-ms must be positive.") }
        return ReconciliationPolicy(sizeThreshold: Collateral(micros: try amount(sizeThreshold, "--size-threshold")),
                                    priceThreshold: Price(micros: try amount(priceThreshold, "--price-threshold")),
                                    dust: Shares(micros: try amount(dust, "--dust")), gracePeriodMillis: graceMs,
                                    staleAfterMillis: staleAfterMs, haltAt: halt)
    }

    func run() throws {
        ProcessLogging.bootstrap(identifier: "recon-proc")
        let logger = Logger(label: "polypipe.recon-proc")
        let environment = ProcessInfo.processInfo.environment
        guard let runtime = runtimeDir ?? environment["RUNTIME_DIRECTORY"] else {
            throw ValidationError("no runtime directory: pass --runtime-dir or run under systemd with RuntimeDirectory=.")
        }
        let credentialsPath = credentials ?? VenueCredentialsFile.defaultPath(runtimeDirectory: runtime, environment: environment)
        let endpoints: VenueEndpoints
        do { endpoints = try VenueEndpoints(venue: venue) } catch { throw ValidationError(error.description + ".") }
        var settings = ReconService.Settings(venueURL: endpoints.clob, chain: Chain(rawValue: chainID) ?? .polygon,
                                             layout: BusLayout(runtimeDirectory: runtime), credentialsPath: credentialsPath)
        settings.cycleMillis = cycleMs
        settings.policy = try policy()
        settings.autoHalt = settings.policy.haltAt != nil
        settings.webhookURL = webhook
        if dailyLossLimit != "off" {
            guard let limit = try? MicroUnits.parse(dailyLossLimit), limit > 0 else {
                throw ValidationError("--daily-loss-limit must be a positive pUSD amount or 'off'.")
            }
            settings.dailyLossLimit = Collateral(micros: limit)
        }
        settings.webhookChatID = webhookChatID

        let metrics: ProcessMetrics
        do { metrics = try ProcessMetrics.start(address: metricsAddress.map { try LoopbackAddress($0) }, logger: logger) } catch {
            throw ValidationError("\(error)")
        }
        defer { metrics.stop() }
        let processRuntime = ProcessRuntime(name: "recon-proc", logger: logger, stop: .signals())
        do {
            try ReconService(settings: settings, logger: logger).run(runtime: processRuntime)
        } catch {
            logger.critical("recon-proc cannot start", metadata: ["error": "\(error)"])
            throw ExitCode(1)
        }
    }
}
