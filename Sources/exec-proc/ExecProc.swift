import ArgumentParser
import Foundation
import Logging
import Bus
import Execution
import PolypipeCore
import PolypipeMetrics
import PolypipeRuntime
import VenueClient

/// `exec-proc`: the isolated signer/executor, the only process that ever holds the private key.
/// Thin wiring over the `Execution` library (``ExecService``, ``Executor``).
@main
struct ExecProc: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "exec-proc",
        abstract: "Risk-check, sign and submit orders. The only process that holds the private key.",
        discussion: """
        Actions arrive on <runtime>/exec/actions.sock (ZeroMQ PULL, bus schema v1). Each one is \
        validated, checked against the risk rules, signed (EIP-712), written to the journal and \
        only then sent; the outcome is published on <runtime>/exec/events.sock. polypipe talks \
        to <runtime>/control/control.sock (status, halt, resume, reduce-only, cancel-all).

        The key comes from the systemd credential $CREDENTIALS_DIRECTORY/polymarket-key, else \
        from POLYMARKET_KEY (removed from the environment and from the original environment block \
        once read). Never pass it as an argument. The process is made non-dumpable and core \
        dumps are disabled before the key is read.

        Modes: paper (default; the venue must prove it is a simulator such as clob-sim — \
        GET /sim/identity, on every new connection, before any signed request; Polymarket's \
        production hosts are refused by name), dry-run (sign and journal, never send), live (real orders: needs --live, --limits, and an acknowledgement: \
        type I UNDERSTAND at the prompt, or --acknowledge 'I UNDERSTAND <wallet address>', or for a \
        systemd unit the same text in the environment variable POLYPIPE_ACKNOWLEDGE).

        Prints one line, "ready", on stdout once it accepts actions; logs go to stderr. On \
        SIGTERM or SIGINT it stops taking actions, cancels its open orders (unless \
        --no-cancel-on-stop), and exits 0.
        """
    )

    @Option(help: "paper (default), dry-run or live.")
    var mode: String = "paper"

    @Flag(help: "Required, together with --mode live, to send real orders.")
    var live = false

    @Option(help: "For unattended live runs: 'I UNDERSTAND <wallet address>' (the signing wallet). Default: $POLYPIPE_ACKNOWLEDGE.")
    var acknowledge: String?

    @Option(help: "The venue: 'polymarket' (Polymarket's production hosts; live and dry-run) or a simulator's base URL (paper; default clob-sim on http://127.0.0.1:8080).")
    var venue: String = "http://127.0.0.1:8080"

    @Option(help: "Chain id to sign for: 137 (Polygon) or 80002 (Amoy).")
    var chainID: UInt64 = 137

    @Option(help: "Runtime directory for the bus sockets (default $RUNTIME_DIRECTORY).")
    var runtimeDir: String?

    @Option(help: "Journal (SQLite) path. Default: $STATE_DIRECTORY/journal.sqlite, else <runtime-dir>/exec/journal.sqlite.")
    var journal: String?

    @Option(help: "Risk limits JSON file (amounts as decimal strings; see docs). Paper/dry-run default to built-in paper limits.")
    var limits: String?

    @Option(help: "Lowest log level written: trace, debug, info, notice, warning, error or critical. No level ever prints the key, the API secret or the passphrase.")
    var logLevel = "info"

    @Option(help: "Milliseconds between venue heartbeats (at most 5000).")
    var heartbeatIntervalMs: Int64 = 5_000

    @Option(help: "Milliseconds the execution loop may go without an iteration before venue heartbeats are withheld, so the venue's dead-man switch cancels the orders of a stalled exec-proc (1000-9000; the venue cancels 10 s after the last heartbeat). Keep it above --request-timeout-ms: resyncs and cancels call the venue from the loop.")
    var loopStallMs: Int64 = 8_000

    @Option(help: "Total timeout of one venue request in milliseconds; a submit that times out is 'unknown'.")
    var requestTimeoutMs: Int = 3_000

    @Option(help: "Milliseconds after which an unknown order the venue cannot find is marked absent.")
    var unknownGraceMs: Int64 = 60_000

    @Option(help: "Milliseconds between re-reads of open orders and balances for the risk rules.")
    var resyncIntervalMs: Int64 = 5_000

    @Option(help: "Venue connections posting orders at once (paper and live). 0: post each order and wait for its answer before the next action.")
    var submitConnections = 4

    @Option(help: ArgumentHelp("Microseconds the event loop keeps polling without sleeping after each message (0: never).",
                               discussion: "Lower tick-to-wire latency (no thread wake-up for an action that arrives in the window) for one core kept busy while actions keep coming. For a dedicated core; leave 0 on a shared one."))
    var busyPollUs: UInt32 = 0

    @Option(help: "Milliseconds between background re-reads of each traded token's book (the risk rules' price band).")
    var bookRefreshMs: Int64 = 250

    @Option(help: "Write a read-only venue credential (JSON, mode 0640) here for fill-proc and recon-proc, minted at startup unless the file already holds one for this wallet. They read the venue with it and never see the key.")
    var readonlyCredentialsOut: String?

    @Flag(inversion: .prefixedNo, help: "Cancel this account's open orders on SIGTERM.")
    var cancelOnStop = true

    @Flag(inversion: .prefixedNo, help: ArgumentHelp(
        "The kill switch: every halt (polypipe halt, recon-proc's alarm, an action flood, a journal failure, the daily loss limit) also cancels every resting order of this account.",
        discussion: "A cancel-all that fails is retried every second until it succeeds or trading resumes. Reduce-only never cancels. Shown in polypipe status (halt_cancels_orders)."))
    var haltCancelsOrders = true

    @Option(help: ArgumentHelp("Serve Prometheus metrics at http://ADDRESS/metrics (loopback only: 127.0.0.1:PORT, port 0 for any free one). Default: not served.", valueName: "address"))
    var metricsAddress: String?

    @Flag(help: "fsync the journal on every commit (survives power loss; caps the order rate). Default: WAL, survives kill -9 and crashes.")
    var journalFsync = false

    @Option(help: "Signature type: 0 EOA (default), 1 proxy, 2 Gnosis Safe, 3 deposit wallet.")
    var signatureType: UInt8 = 0

    @Option(help: "Funder (maker) wallet address for signature types 1-3.")
    var funder: String?

    @Option(help: "The signer's per-signer rate-limit tier (standard, copper, bronze, silver, gold, platinum, diamond, elite; unlimited for benchmarks against clob-sim only). Orders and cancels are paced to its buckets; the venue's Poly-RateLimit-Tier header overrides it.")
    var rateLimitTier = "standard"

    func validate() throws {
        guard ExecMode(rawValue: mode) != nil else { throw ValidationError("--mode must be paper, dry-run or live, not \(mode).") }
        guard Chain(rawValue: chainID) != nil else { throw ValidationError("--chain-id must be 137 or 80002.") }
        guard (100...5_000).contains(heartbeatIntervalMs) else { throw ValidationError("--heartbeat-interval-ms must be between 100 and 5000.") }
        guard (0...32).contains(submitConnections) else { throw ValidationError("--submit-connections must be between 0 and 32.") }
        guard (50...1_000).contains(bookRefreshMs) else { throw ValidationError("--book-refresh-ms must be between 50 and 1000 (the band uses a mid at most 1 s old).") }
        guard requestTimeoutMs >= 100 else { throw ValidationError("--request-timeout-ms must be at least 100.") }
        guard Logger.Level(rawValue: logLevel) != nil else {
            throw ValidationError("--log-level must be one of trace, debug, info, notice, warning, error, critical.")
        }
        guard (1_000...9_000).contains(loopStallMs) else { throw ValidationError("--loop-stall-ms must be between 1000 and 9000.") }
        guard RateLimitTier(venueName: rateLimitTier) != nil else {
            throw ValidationError("--rate-limit-tier must be one of \(RateLimitTier.allCases.map(\.rawValue).joined(separator: ", ")), not \(rateLimitTier).")
        }
        guard SignatureType(rawValue: signatureType) != nil else { throw ValidationError("--signature-type must be 0, 1, 2 or 3.") }
        let endpoints: VenueEndpoints
        do { endpoints = try VenueEndpoints(venue: venue) } catch { throw ValidationError(error.description + ".") }
        // Before the key is read: paper never reaches the production venue (checked again, by
        // proof, before any request).
        if ExecMode(rawValue: mode) == .paper, let host = ProductionVenue.host(of: endpoints.clob) {
            throw ValidationError(PaperModeRefusal.productionHost(url: venue, host: host).description)
        }
    }

    func run() throws {
        // Before the key is read: no core dumps, no ptrace by the same user.
        let hardened = KeyLoader.hardenProcess()
        ProcessLogging.bootstrap(identifier: "exec-proc", level: Logger.Level(rawValue: logLevel) ?? .info)
        let logger = Logger(label: "polypipe.exec-proc")
        let key: PrivateKey
        do { key = try KeyLoader.load() } catch {
            throw ValidationError("no usable key: \(error)")
        }
        if !hardened { logger.warning("could not make the process non-dumpable or disable core dumps") }

        let mode = ExecMode(rawValue: mode) ?? .paper
        let venue = (try? VenueEndpoints(venue: self.venue).clob) ?? self.venue  // valid after validate()
        guard let runtime = runtimeDir ?? ProcessInfo.processInfo.environment["RUNTIME_DIRECTORY"] else {
            throw ValidationError("no runtime directory: pass --runtime-dir or run under systemd with RuntimeDirectory=.")
        }
        let layout = BusLayout(runtimeDirectory: runtime)
        var riskLimits = RiskLimits.paperDefaults
        if let limits {
            guard let text = try? String(contentsOfFile: limits, encoding: .utf8) else { throw ValidationError("--limits: cannot read \(limits).") }
            do { riskLimits = try RiskLimits(json: text) } catch { throw ValidationError(error.description) }
        }
        let acknowledge = self.acknowledge ?? ProcessInfo.processInfo.environment["POLYPIPE_ACKNOWLEDGE"].flatMap { $0.isEmpty ? nil : $0 }
        var typed: String?
        if mode == .live && acknowledge == nil && isatty(0) == 1 {
            FileHandle.standardError.write(Data("Live trading with wallet \(key.address.checksummed) on \(venue). Type \(LiveGate.phrase) to continue: ".utf8))
            typed = readLine()
        }
        do {
            try LiveGate.check(.init(mode: mode, liveFlag: live, limitsConfigured: limits != nil, acknowledgement: acknowledge,
                                     typed: typed, venueURL: venue), address: key.address)
        } catch { throw ValidationError(error.description) }

        let journalPath = journal
            ?? ProcessInfo.processInfo.environment["STATE_DIRECTORY"].map { $0 + "/journal.sqlite" }
            ?? layout.execDirectory + "/journal.sqlite"
        var settings = ExecService.Settings(mode: mode, venueURL: venue, chain: Chain(rawValue: chainID) ?? .polygon,
                                            layout: layout, journalPath: journalPath, limits: riskLimits)
        settings.heartbeatIntervalMillis = heartbeatIntervalMs
        settings.loopStallLimitMillis = loopStallMs
        settings.requestTimeoutMillis = requestTimeoutMs
        settings.unknownGraceMillis = unknownGraceMs
        settings.resyncIntervalMillis = resyncIntervalMs
        settings.cancelOnStop = cancelOnStop
        settings.haltCancelsOrders = haltCancelsOrders
        settings.submitConnections = submitConnections
        settings.readOnlyCredentialsPath = readonlyCredentialsOut
        settings.bookRefreshMillis = bookRefreshMs
        settings.busyPollMicros = busyPollUs
        settings.journalDurability = journalFsync ? .powerLoss : .processCrash
        settings.signatureType = SignatureType(rawValue: signatureType) ?? .eoa
        settings.rateLimitTier = RateLimitTier(venueName: rateLimitTier) ?? .standard
        if let funder {
            do { settings.funder = try EthereumAddress(funder) } catch { throw ValidationError("--funder: \(error)") }
        }

        let metrics: ProcessMetrics
        do { metrics = try ProcessMetrics.start(address: metricsAddress.map { try LoopbackAddress($0) }, logger: logger) } catch {
            throw ValidationError("\(error)")
        }
        defer { metrics.stop() }
        let processRuntime = ProcessRuntime(name: "exec-proc", logger: logger, stop: .signals())
        let service = ExecService(settings: settings, key: key, logger: logger)
        do {
            try service.run(runtime: processRuntime)
        } catch {
            logger.critical("exec-proc cannot start", metadata: ["error": "\(error)"])
            throw ExitCode(1)
        }
    }
}
