import Foundation
import Logging
import Synchronization
import Bus
import JournalStore
import PolypipeCore
import PolypipeRuntime
import VenueClient

/// exec-proc's event loop: the bus sockets around an ``Executor``.
///
/// ```
/// exec/actions.sock   PULL    actions in (topic "action")
/// exec/events.sock    PUB     order events ("order") and status once a second ("status")
/// control/control.sock ROUTER  polypipe: status, halt, resume, reduce-only, cancel-all, cancel
/// exec/snapshot.sock  ROUTER  Clone-pattern snapshots for subscribers that saw a gap
/// fill/events.sock    SUB     fill-proc's "position": realized P&L for the daily loss limit
/// ```
/// One thread owns every socket and the executor (a ``PollLoop``); the venue heartbeat, the
/// book refresher and the order senders are ``BackgroundWorker``s it stops and joins on the way
/// out (<doc:ThreadsAndShutdown>).
public final class ExecService {
    public struct Settings: Sendable {
        public var mode: ExecMode
        public var venueURL: String
        public var chain: Chain
        public var layout: BusLayout
        public var journalPath: String
        public var limits: RiskLimits
        public var heartbeatIntervalMillis: Int64 = 5_000
        /// How long the execution loop may go without an iteration before venue heartbeats are
        /// withheld (``LoopLiveness``).
        public var loopStallLimitMillis: Int64 = 8_000
        /// No heartbeat has succeeded for this long: the venue's dead-man switch (10 s after the
        /// last heartbeat it received) may have cancelled the open orders — a frozen process
        /// (SIGSTOP, a VM pause), a stalled loop or an outage. The open orders are suspect, and
        /// exec-proc reconciles with the venue before any new order (HB-03).
        public var heartbeatLapseMillis: Int64 = 9_000
        public var requestTimeoutMillis = 3_000
        public var resyncIntervalMillis: Int64 = 5_000
        public var unknownGraceMillis: Int64 = 60_000
        public var cancelOnStop = true
        /// The kill switch: every halt cancels every resting order of ours (``KillSwitch``).
        public var haltCancelsOrders = true
        public var journalDurability: Journal.Durability = .processCrash
        public var signatureType: SignatureType = .eoa
        public var funder: EthereumAddress?
        /// Venue connections posting orders at once (paper and live); 0 posts each order on the
        /// execution thread and waits for its answer before the next action.
        public var submitConnections = 4
        /// How often a background thread re-reads the book of each traded token (for the price
        /// band), so the execution thread seldom waits for `GET /book`.
        public var bookRefreshMillis: Int64 = 250
        /// How long the event loop keeps polling without sleeping after the last message (0:
        /// never). See ``PollLoop``'s "Busy polling".
        public var busyPollMicros: UInt32 = 0
        /// Where to write a read-only L2 credential for fill-proc and recon-proc (the local
        /// stack); kept as is when the file already holds one for this wallet.
        public var readOnlyCredentialsPath: String?
        /// The signer's rate-limit tier to pace orders and cancels to until the venue names
        /// another (`Poly-RateLimit-Tier`); `.unlimited` switches pacing off (benchmarks).
        public var rateLimitTier: RateLimitTier = .standard

        /// Paper mode talks only to connections that proved they lead to a simulator; dry-run
        /// and live to the venue configured on purpose (dry-run never sends an order).
        public var connectionPolicy: CurlTransport.ConnectionPolicy { mode == .paper ? .provenSimulatorOnly : .any }

        public init(mode: ExecMode, venueURL: String, chain: Chain, layout: BusLayout, journalPath: String, limits: RiskLimits) {
            self.mode = mode
            self.venueURL = venueURL
            self.chain = chain
            self.layout = layout
            self.journalPath = journalPath
            self.limits = limits
        }
    }

    private let settings: Settings
    private let key: PrivateKey
    let logger: Logger

    public init(settings: Settings, key: PrivateKey, logger: Logger) {
        self.settings = settings
        self.key = key
        self.logger = logger
    }

    /// Runs until `runtime`'s stop (SIGTERM/SIGINT), then stops in ``ShutdownPhase`` order:
    /// stop intake → drain the orders in flight → cancel-all (``Settings/cancelOnStop``) →
    /// stop and join the heartbeat, book and sender threads → publish the last status.
    /// ``ProcessRuntime/ready()`` is called once actions are accepted.
    /// - Throws: ``StartupFailure`` naming what failed before that point.
    public func run(runtime: ProcessRuntime) throws(StartupFailure) {
        let startedAt = BusClock.nowMillis()
        func fail(_ what: String, _ error: any Error) -> StartupFailure { StartupFailure(what, error) }

        // Venue access: one connection for orders (this thread), one for the heartbeat.
        let timeouts = CurlTransport.Timeouts(connectMilliseconds: 1_000, totalMilliseconds: settings.requestTimeoutMillis)
        let credentials: ApiCredentials
        let venue: ClobClient
        let heartbeatClient: ClobClient
        var senderClients: [ClobClient] = []
        let booksClient: ClobClient
        // Paper mode: every connection must prove it leads to a simulator before it carries a
        // request; the first proof happens here, before the L1 signature below.
        let policy = settings.connectionPolicy
        func transport() throws(TransportError) -> CurlTransport {
            try CurlTransport(baseURL: settings.venueURL, timeouts: timeouts, policy: policy)
        }
        let publicTransport: CurlTransport
        do {
            publicTransport = try transport()
            try publicTransport.proveSimulator()
        } catch let error as PaperModeRefusal {
            throw StartupFailure(refusal: error)
        } catch let error as TransportError {
            if case .notASimulator(let refusal) = error { throw StartupFailure(refusal: refusal) }
            throw fail("cannot reach \(settings.venueURL)", error)
        } catch {
            throw fail("cannot reach \(settings.venueURL)", error)
        }
        do {
            let publicClient = ClobClient(transport: publicTransport, chain: settings.chain)
            do { credentials = try publicClient.deriveApiKey(signingWith: key) } catch {
                credentials = try publicClient.createApiKey(signingWith: key)
            }
            let l2 = try L2Signer(credentials: credentials, address: key.address)
            // Everything that places orders for this signer waits out one order Retry-After,
            // and draws on one model of the signer's buckets.
            let orderGate = RetryAfterGate()
            let pacer = RateLimitPacer(tier: settings.rateLimitTier, logger: logger)
            venue = ClobClient(transport: try transport(), chain: settings.chain, l2: l2,
                               orderRetryAfter: orderGate, rateLimits: pacer)
            heartbeatClient = ClobClient(transport: try transport(), chain: settings.chain, l2: l2, rateLimits: pacer)
            booksClient = ClobClient(transport: try transport(), chain: settings.chain)
            if settings.mode != .dryRun {
                for _ in 0..<settings.submitConnections {
                    senderClients.append(ClobClient(transport: try transport(), chain: settings.chain,
                                                    l2: l2, orderRetryAfter: orderGate, rateLimits: pacer))
                }
            }
        } catch {
            throw fail("cannot get API credentials from \(settings.venueURL)", error)
        }
        if let path = settings.readOnlyCredentialsPath {
            do { try Self.provideReadOnlyCredentials(at: path, venue: venue, address: key.address, simulatorOnly: settings.mode == .paper) } catch {
                throw fail("cannot provide read-only venue credentials at \(path)", error)
            }
        }
        // The exec directory first: it holds the sockets and, by default, the journal.
        let directory: SocketDirectory
        let controlDirectory: SocketDirectory
        do {
            _ = try SocketDirectory(settings.layout.runtimeDirectory, mode: 0o750)
            directory = try SocketDirectory(settings.layout.execDirectory, mode: 0o750)
            controlDirectory = try SocketDirectory(settings.layout.controlDirectory, mode: 0o750)
        } catch { throw fail("cannot prepare the runtime directory", error) }
        let journal: Journal
        do { journal = try Journal(path: settings.journalPath, durability: settings.journalDurability) } catch { throw fail("cannot open the journal", error) }
        if journal.recovery != Journal.Recovery.none { logger.notice("journal log replayed at open", metadata: ["replayed": "\(journal.recovery.replayed)", "torn_bytes": "\(journal.recovery.tornBytes)"]) }

        let builder = OrderBuilder(signer: OrderSigner(key: key, chain: settings.chain), signatureType: settings.signatureType, funder: settings.funder)
        let health = VenueHealth(healthy: false, staleAfterMillis: settings.heartbeatIntervalMillis * 5 / 2,
                                 lapseAfterMillis: settings.heartbeatLapseMillis)
        var configuration = Executor.Configuration(mode: settings.mode, owner: credentials.apiKey)
        configuration.unknownGraceMillis = settings.unknownGraceMillis
        configuration.haltCancelsOrders = settings.haltCancelsOrders
        configuration.drainTimeoutMillis = Int64(settings.requestTimeoutMillis) + 2_000
        let books = BookWatch(client: booksClient, refreshMillis: settings.bookRefreshMillis, logger: logger)
        let executor: Executor
        do {
            executor = try Executor(configuration: configuration, journal: journal, venue: venue, builder: builder,
                                    limits: settings.limits, health: health, logger: logger, books: books)
        } catch { throw fail("cannot read the trading state from the journal", error) }
        books.start()
        defer { books.stop() }
        var sender: OrderSender?
        if !senderClients.isEmpty {
            do { sender = try OrderSender(clients: senderClients) } catch { throw fail("cannot start the order senders", error) }
        }
        defer { sender?.stop() }

        let liveness = LoopLiveness(stallLimitMillis: settings.loopStallLimitMillis)
        let heartbeat = VenueHeartbeat(client: heartbeatClient, health: health, intervalMillis: settings.heartbeatIntervalMillis,
                                       liveness: liveness, logger: logger)
        if settings.mode != .dryRun { heartbeat.start() }
        defer { heartbeat.stop() }
        // Ready means able to trade: wait (bounded) for the first heartbeat, so the first
        // actions are not refused by the fail-closed rule merely because it is still in flight.
        if settings.mode != .dryRun {
            let deadline = BusClock.nowMillis() + max(5_000, Int64(settings.requestTimeoutMillis))
            while !health.isHealthy && BusClock.nowMillis() < deadline { usleep(10_000) }
            if !health.isHealthy { logger.warning("no venue heartbeat yet; new orders are refused until one succeeds") }
        }

        do { try executor.reconcileAtStartup() } catch { throw fail("startup reconciliation with the venue failed", error) }

        // Sockets, in a directory only this process can write.
        let context: ZmqContext
        let actions, events, control, snapshot: ZmqSocket
        let fills: FillPnLFeed
        do {
            context = try ZmqContext()
            actions = try ZmqSocket(context, .pull)
            events = try ZmqSocket(context, .publish)
            control = try ZmqSocket(context, .router)
            snapshot = try ZmqSocket(context, .router)
            try actions.setHighWaterMark(100_000)
            try events.setHighWaterMark(100_000)
            try directory.bind(actions, name: "actions.sock")
            try directory.bind(events, name: "events.sock")
            try controlDirectory.bind(control, name: "control.sock")
            try directory.bind(snapshot, name: "snapshot.sock")
            fills = try FillPnLFeed(context: context, layout: settings.layout, logger: logger)
        } catch { throw fail("cannot open the bus sockets", error) }

        let publisher = BusPublisher(socket: events, source: "exec-proc")
        let metrics = ExecMetrics()
        executor.onEvent = { [logger] event in
            metrics.record(event)
            do { try publisher.publish(topic: BusLayout.Topic.order, message: event) } catch {
                logger.error("cannot publish an order event", metadata: ["error": "\(error)"])
            }
        }
        executor.onCancelEvent = { [logger] event in
            metrics.record(event)
            do { try publisher.publish(topic: BusLayout.Topic.canceled, message: event) } catch {
                logger.error("cannot publish a cancel event", metadata: ["error": "\(error)"])
            }
        }
        let controlServer = RequestServer(socket: control)
        let snapshotServer = RequestServer(socket: snapshot)
        let status = { executor.status(mode: self.settings.mode, signer: self.key.address, venueURL: self.settings.venueURL, startedAtMillis: startedAt) }

        logger.info("exec-proc ready", metadata: [
            "mode": "\(settings.mode.rawValue)", "venue": "\(settings.venueURL)", "signer": "\(key.address.checksummed)",
            "journal": "\(settings.journalPath)", "state": "\(executor.risk.state.rawValue)", "rate_limit_tier": "\(settings.rateLimitTier.rawValue)",
        ])
        executor.sender = sender
        runtime.ready()

        let loop = PollLoop(logger: logger, busyPollMicros: settings.busyPollMicros)
        // Before anything queued is handled: did the venue's dead-man switch get its chance?
        loop.beforeEachPass(name: "heartbeat lapse") { _ in
            if let lapse = health.newLapse() { executor.heartbeatsLapsed(forMillis: lapse) }
        }
        loop.beforeEachPass(name: "loop liveness") { liveness.tick(nowMillis: $0) }
        // A halt's cancel-all not yet done (a journal failure's, or one that failed): first.
        loop.beforeEachPass(name: "kill switch") { _ in executor.enforceKillSwitch() }
        if let sender { loop.on(sender.wakeup, name: "submissions") { _ in executor.completeSubmissions() } }
        loop.on(actions, name: "actions") { _ in self.drainActions(actions, executor: executor) }
        loop.on(control, name: "control") { _ in self.serveControl(controlServer, executor: executor, status: status) }
        loop.on(fills.socket, name: "fill P&L") { _ in fills.drain(into: executor) }
        loop.on(snapshot, name: "snapshot") { _ in self.serveSnapshot(snapshotServer, publisher: publisher, executor: executor, status: status) }
        loop.every(milliseconds: 1_000, name: "resolve unknown", first: .now) { _ in
            if executor.unknownCount > 0 { executor.resolvePending() }
        }
        loop.every(milliseconds: 200, name: "resting lifetimes") { _ in
            if !executor.restDeadlines.isEmpty || executor.live.count > 0 { executor.enforceRestLifetimes() }
        }
        loop.every(milliseconds: settings.resyncIntervalMillis, name: "resync") { [logger] _ in
            do { try executor.resynchronize() } catch {
                logger.warning("cannot resynchronize exposure with the venue", metadata: ["error": "\(error)"])
            }
        }
        loop.every(milliseconds: 1_000, name: "daily P&L") { _ in executor.checkDailyPnL() }
        loop.every(milliseconds: 1_000, name: "status", first: .now) { _ in
            let current = status()
            metrics.record(current)
            _ = try? publisher.publish(topic: BusLayout.Topic.status, message: current)
        }
        loop.run(runtime)

        let cancelOnStop = settings.cancelOnStop && settings.mode != .dryRun
        runtime.shutdown([
            .stopIntake: { [logger] in logger.notice("stopping: no more actions", metadata: ["cancel_open_orders": "\(cancelOnStop)"]) },
            .drainInFlight: { executor.drainInFlight(timeoutMillis: configuration.drainTimeoutMillis) },
            .cancel: { [logger] in
                guard cancelOnStop else { return }
                let result = executor.cancelAll(reason: "exec-proc stopping (SIGTERM)")
                if let error = result.error { logger.error("cancel on stop failed", metadata: ["error": "\(error)"]) }
            },
            .stopHeartbeats: {
                heartbeat.stop()
                sender?.stop()
                books.stop()
            },
            .flush: { [logger] in
                _ = try? publisher.publish(topic: BusLayout.Topic.status, message: status())
                if let pacer = venue.rateLimits {
                    let counts = pacer.statistics
                    logger.notice("signer rate limit statistics", metadata: [
                        "ratelimit.waits": "\(counts.waits)", "ratelimit.waited_ms": "\(counts.waitedMillis)",
                        "ratelimit.stale": "\(counts.stale)", "ratelimit.withdrawn": "\(counts.withdrawn)",
                    ])
                }
            },
        ])
        logger.notice("exec-proc stopped")
    }

    /// Mints a read-only API key (L2) and writes it for the processes that only read the venue,
    /// unless `path` already holds one of this wallet minted in the same kind of mode (paper:
    /// simulator-only).
    static func provideReadOnlyCredentials(at path: String, venue: ClobClient, address: EthereumAddress, simulatorOnly: Bool) throws {
        if let existing = try? VenueCredentialsFile(path: path), existing.address == address, existing.simulatorOnly == simulatorOnly { return }
        let credentials = try venue.createReadOnlyApiKey()
        try VenueCredentialsFile(address: address, credentials: credentials, simulatorOnly: simulatorOnly).write(to: path)
    }
}
