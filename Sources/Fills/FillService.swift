import Foundation
import Logging
import Synchronization
import Bus
import PolypipeCore
import PolypipeRuntime
import VenueClient

/// fill-proc's event loop: what actually happened to the orders exec-proc sent.
///
/// ```
/// exec/events.sock    SUB     exec-proc's order events: the orders to track (ExecEventFeed)
/// fill/events.sock    PUB     "fill" per new fill or settlement step, "position" (FillState)
/// fill/snapshot.sock  ROUTER  FillState with every fill and the execution statistics
/// venue REST          poll    trades, open orders, order status (every pollInterval)
/// venue user channel  push    trades and order updates, when enabled (re-seeded from REST
///                             after every reconnect)
/// ```
///
/// Every change is saved in the ``FillStore`` (one transaction per ledger update) before it is
/// published, so a `kill -9` loses nothing and a restart counts nothing twice (fills are keyed
/// by trade id and order id). fill-proc reads the venue with a read-only credential and never
/// sees the private key.
public final class FillService {
    public struct Settings: Sendable {
        public var venueURL: String
        public var chain: Chain
        public var layout: BusLayout
        public var storePath: String
        /// A ``VenueCredentialsFile`` (read-only key and wallet address).
        public var credentialsPath: String
        /// How long to wait for the credentials file to appear (exec-proc writes it in the
        /// local stack).
        public var credentialsWaitMillis: Int64 = 30_000
        public var pollIntervalMillis: Int64 = 1_000
        public var publishIntervalMillis: Int64 = 5_000
        public var markIntervalMillis: Int64 = 5_000
        public var resolutionCheckMillis: Int64 = 10_000
        public var requestTimeoutMillis = 3_000
        /// The user channel URL (`ws://…/ws/user`); nil polls REST only.
        public var userChannelURL: String?
        /// Trades this long before the oldest unsettled fill are read again each poll (the
        /// venue's match times have one-second resolution and its clock is not ours).
        public var tradeLookbackMillis: Int64 = 120_000
        /// Order-status lookups per poll for tracked orders the venue no longer lists as open.
        public var orderLookupsPerPoll = 25

        public init(venueURL: String, chain: Chain, layout: BusLayout, storePath: String, credentialsPath: String) {
            self.venueURL = venueURL
            self.chain = chain
            self.layout = layout
            self.storePath = storePath
            self.credentialsPath = credentialsPath
        }
    }

    private let settings: Settings
    private let logger: Logger

    public init(settings: Settings, logger: Logger) {
        self.settings = settings
        self.logger = logger
    }

    /// Runs until `runtime`'s stop (SIGTERM/SIGINT), then stops the user channel (intake) and
    /// logs the count (flush); every change was saved as it happened.
    /// - Throws: ``StartupFailure`` naming what failed before ready.
    public func run(runtime: ProcessRuntime) throws(StartupFailure) {
        func fail(_ what: String, _ error: any Error) -> StartupFailure { StartupFailure(what, error) }

        let credentials: VenueCredentialsFile
        do { credentials = try VenueCredentialsFile.waitFor(path: settings.credentialsPath, millis: settings.credentialsWaitMillis) } catch {
            throw fail("no venue credentials", error)
        }
        // The fill directory first: it holds the sockets and, by default, the store.
        let directory: SocketDirectory
        do {
            _ = try SocketDirectory(settings.layout.runtimeDirectory, mode: 0o750)
            directory = try SocketDirectory(settings.layout.fillDirectory, mode: 0o750)
        } catch { throw fail("cannot prepare the runtime directory", error) }
        let store: FillStore
        let ledger: FillLedger
        do {
            store = try FillStore(path: settings.storePath)
            ledger = try store.loadLedger()
        } catch { throw fail("cannot open the fill store", error) }

        let venue: ClobClient
        do { venue = try credentials.client(venueURL: settings.venueURL, chain: settings.chain, totalTimeoutMillis: settings.requestTimeoutMillis) } catch {
            throw fail("cannot set up the venue client", error)
        }

        let context: ZmqContext
        let feed: ExecEventFeed
        let events, snapshot: ZmqSocket
        do {
            context = try ZmqContext()
            feed = try ExecEventFeed(context: context, layout: settings.layout, logger: logger)
            events = try ZmqSocket(context, .publish)
            snapshot = try ZmqSocket(context, .router)
            try events.setHighWaterMark(100_000)
            try directory.bind(events, name: "events.sock")
            try directory.bind(snapshot, name: "snapshot.sock")
        } catch { throw fail("cannot open the bus sockets", error) }

        let tracker = FillTracker(ledger: ledger, store: store, venue: venue, publisher: BusPublisher(socket: events, source: "fill-proc"),
                                  settings: settings, logger: logger)
        if credentials.simulatorOnly, let url = settings.userChannelURL, let refusal = PaperModeRefusal.checkStream(url, venueURL: settings.venueURL) {
            throw StartupFailure(refusal: refusal)
        }
        let userChannel = settings.userChannelURL.flatMap { UserChannelInbox(url: $0, credentials: credentials.credentials, logger: logger) }
        defer { userChannel?.stop() }

        // What exec-proc did while fill-proc was away, then the venue's view of it.
        if let missed = feed.takeSnapshot() { tracker.apply(missed, nowMillis: BusClock.nowMillis()) }
        tracker.poll(nowMillis: BusClock.nowMillis())
        userChannel?.start()

        logger.info("fill-proc ready", metadata: [
            "venue": "\(settings.venueURL)", "wallet": "\(credentials.address.checksummed)", "store": "\(settings.storePath)",
            "orders": "\(tracker.ledger.orders.count)", "fills": "\(tracker.ledger.fills.count)",
            "user_channel": "\(settings.userChannelURL ?? "off")",
        ])
        runtime.ready()

        let server = RequestServer(socket: snapshot)
        var lastPoll = BusClock.nowMillis()
        let loop = PollLoop(logger: logger)
        loop.on(feed.socket, name: "exec events") { now in tracker.apply(feed.drain(nowMillis: now), nowMillis: now) }
        if let userChannel {
            loop.on(userChannel.wakeup, name: "user channel") { now in
                let (messages, reconnected) = userChannel.take()
                tracker.applyUserChannel(messages, nowMillis: now)
                // After a reconnect the venue's REST view fills the gap now; the next poll is
                // one interval later.
                if reconnected { tracker.poll(nowMillis: now); lastPoll = now }
            }
        }
        loop.on(snapshot, name: "snapshot") { _ in self.serveSnapshots(server, tracker: tracker) }
        loop.every(milliseconds: 0, name: "venue poll") { now in
            guard now - lastPoll >= self.settings.pollIntervalMillis else { return }
            lastPoll = now
            tracker.poll(nowMillis: now)
        }
        loop.every(milliseconds: 0, name: "publish") { tracker.publishIfDue(nowMillis: $0) }
        loop.run(runtime)

        runtime.shutdown([
            .stopIntake: { userChannel?.stop() },
            .flush: { [logger] in logger.notice("fill-proc stopped", metadata: ["fills": "\(tracker.ledger.fills.count)"]) },
        ])
    }

    private func serveSnapshots(_ server: RequestServer, tracker: FillTracker) {
        server.answerAll(malformed: { logger.warning("dropped a malformed snapshot request", metadata: ["error": "\($0)"]) },
                         failed: { logger.warning("cannot answer a snapshot request", metadata: ["error": "\($0)"]) }) { _ in
            tracker.state(includingFills: true)
        }
    }
}
