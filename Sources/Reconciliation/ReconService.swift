import Foundation
import Logging
import Synchronization
import Bus
import PolypipeCore
import PolypipeRuntime
import VenueClient

/// recon-proc's event loop: every cycle it gathers paper positions, actual positions, the
/// journal's open orders and the venue's, runs the ``Reconciler``, turns findings into alarm
/// episodes (``AlarmTracker``), and acts on them.
///
/// ```
/// exec/events.sock     SUB     accepted actions -> the paper book (ExecEventFeed)
/// exec/snapshot.sock   REQ     each cycle: the journal's orders that may be live
/// fill/snapshot.sock   REQ     each cycle: actual positions, fills, order lifecycles
/// venue REST           GET     each cycle: the account's open orders (read-only key)
/// recon/events.sock    PUB     "alarm" (raised / cleared), "recon" (one report per cycle)
/// recon/snapshot.sock  ROUTER  the latest report (polypipe stats)
/// control/control.sock REQ     halt, when an active alarm reaches the policy's severity
/// webhook              POST    each raise and clear, and operator alerts from exec-proc's
///                              status: halts, heartbeat lapses (its own BackgroundWorker: a slow sink
///                              never delays a cycle)
/// ```
/// Cycles never overlap (one thread), and each compares inputs read in one pass.
public final class ReconService {
    public struct Settings: Sendable {
        public var venueURL: String
        public var chain: Chain
        public var layout: BusLayout
        public var credentialsPath: String
        public var credentialsWaitMillis: Int64 = 30_000
        public var cycleMillis: Int64 = 10_000
        public var policy = ReconciliationPolicy()
        /// Halt exec-proc when an active alarm reaches ``ReconciliationPolicy/haltAt``.
        public var autoHalt = true
        /// Realized loss since the start of the UTC day that raises `daily_loss` (nil: off).
        public var dailyLossLimit: Collateral?
        public var webhookURL: String?
        public var webhookChatID: String?
        public var requestTimeoutMillis = 3_000

        public init(venueURL: String, chain: Chain, layout: BusLayout, credentialsPath: String) {
            self.venueURL = venueURL
            self.chain = chain
            self.layout = layout
            self.credentialsPath = credentialsPath
        }
    }

    private let settings: Settings
    private let logger: Logger

    public init(settings: Settings, logger: Logger) {
        self.settings = settings
        self.logger = logger
    }

    /// Runs until `runtime`'s stop (SIGTERM/SIGINT), then stops and joins the webhook's thread.
    /// - Throws: ``StartupFailure`` naming what failed before ready.
    public func run(runtime: ProcessRuntime) throws(StartupFailure) {
        func fail(_ what: String, _ error: any Error) -> StartupFailure { StartupFailure(what, error) }
        let credentials: VenueCredentialsFile
        do { credentials = try VenueCredentialsFile.waitFor(path: settings.credentialsPath, millis: settings.credentialsWaitMillis) } catch {
            throw fail("no venue credentials", error)
        }
        let venue: ClobClient
        do { venue = try credentials.client(venueURL: settings.venueURL, chain: settings.chain, totalTimeoutMillis: settings.requestTimeoutMillis) } catch {
            throw fail("cannot set up the venue client", error)
        }

        let context: ZmqContext
        let feed: ExecEventFeed
        let events, snapshot: ZmqSocket
        do {
            _ = try SocketDirectory(settings.layout.runtimeDirectory, mode: 0o750)
            let directory = try SocketDirectory(settings.layout.reconDirectory, mode: 0o750)
            context = try ZmqContext()
            feed = try ExecEventFeed(context: context, layout: settings.layout, logger: logger)
            events = try ZmqSocket(context, .publish)
            snapshot = try ZmqSocket(context, .router)
            try directory.bind(events, name: "events.sock")
            try directory.bind(snapshot, name: "snapshot.sock")
        } catch { throw fail("cannot open the bus sockets", error) }

        let webhook = settings.webhookURL.flatMap { AlarmWebhook(url: $0, payload: AlarmWebhookPayload(chatID: settings.webhookChatID), logger: logger) }
        webhook?.start()
        defer { webhook?.stop() }
        let cycle = ReconCycle(settings: settings, context: context, venue: venue, publisher: BusPublisher(socket: events, source: "recon-proc"),
                               webhook: webhook, logger: logger)
        if let missed = feed.takeSnapshot() { cycle.inputs.apply(missed, nowMillis: BusClock.nowMillis()) }

        logger.info("recon-proc ready", metadata: [
            "venue": "\(settings.venueURL)", "cycle_ms": "\(settings.cycleMillis)", "auto_halt": "\(settings.autoHalt)",
            "halt_at": "\(settings.policy.haltAt?.rawValue ?? "never")", "webhook": "\(settings.webhookURL == nil ? "off" : "on")",
        ])
        runtime.ready()

        let server = RequestServer(socket: snapshot)
        let loop = PollLoop(logger: logger)
        loop.on(feed.socket, name: "exec events") { now in
            cycle.inputs.apply(feed.drain(nowMillis: now), nowMillis: now)
            cycle.execHeardAtMillis = feed.lastMessageAtMillis
            if let status = feed.status { cycle.observe(execStatus: status, nowMillis: now) }
        }
        loop.on(snapshot, name: "snapshot") { _ in self.serveSnapshots(server, cycle: cycle) }
        loop.every(milliseconds: settings.cycleMillis, name: "reconcile") { cycle.run(nowMillis: $0) }
        loop.run(runtime)

        runtime.shutdown([
            .stopHeartbeats: { webhook?.stop() },
            .flush: { [logger] in logger.notice("recon-proc stopped", metadata: ["cycles": "\(cycle.count)"]) },
        ])
    }

    private func serveSnapshots(_ server: RequestServer, cycle: ReconCycle) {
        server.answerAll(malformed: { logger.warning("dropped a malformed snapshot request", metadata: ["error": "\($0)"]) }) { _ in
            // A request is also a reason to look now (polypipe stats, the end of polypipe up):
            // the report answers for this moment, unless a cycle ran within the last second.
            let now = BusClock.nowMillis()
            if now - cycle.lastRunAtMillis >= 1_000 { cycle.run(nowMillis: now) }
            return cycle.report
        }
    }
}
