import PolypipeCore
import Logging
import Bus
import VenueClient

/// One reconciliation cycle and what it leaves behind: reads the three peers' views in one
/// pass, runs the ``Reconciler``, feeds the ``AlarmTracker``, and for each raise or clear logs
/// one line, publishes an ``Polypipe_Bus_V1_Alarm``, queues a webhook, and — when an active
/// alarm reaches the policy's halt severity — asks exec-proc to halt (once per episode).
///
/// Single-threaded (recon-proc's loop); the reads block for at most their timeouts.
public final class ReconCycle {
    public var inputs = ReconInputs()
    /// When exec-proc was last heard from (its status arrives every second).
    public var execHeardAtMillis: Int64 = 0
    public private(set) var tracker = AlarmTracker()
    public private(set) var report = Polypipe_Bus_V1_ReconReport()
    /// Fed from each alarm raised and each report (``ReconMetrics``).
    private let metrics = ReconMetrics()
    public private(set) var count: UInt64 = 0
    public private(set) var lastRunAtMillis: Int64 = 0

    private let settings: ReconService.Settings
    private let reconciler: Reconciler
    private let context: ZmqContext
    private let venue: ClobClient
    private let publisher: BusPublisher
    private let webhook: AlarmWebhook?
    private let logger: Logger
    private var raised: UInt64 = 0
    private var cleared: UInt64 = 0
    /// The alarm ids that made recon-proc halt exec-proc (asked once per episode).
    private var haltedFor: Set<String> = []
    private var paperAsOf: Int64 = 0
    private var fillsAsOf: Int64 = 0
    private var journalAsOf: Int64 = 0
    private var venueAsOf: Int64 = 0
    private var actual: [ActualPosition] = []
    private var venueKnown: Set<OrderID> = []
    private var journal: [JournalOrder] = []
    private var venueOrders: [VenueOrder] = []
    private var resolvedMarkets: Set<String> = []
    private var dailyLoss: DailyLossWatch?
    private var execWatch = ExecWatch()
    private var realizedMicros: Int64?

    public init(settings: ReconService.Settings, context: ZmqContext, venue: ClobClient, publisher: BusPublisher,
                webhook: AlarmWebhook?, logger: Logger) {
        self.settings = settings
        self.reconciler = Reconciler(policy: settings.policy)
        self.context = context
        self.venue = venue
        self.publisher = publisher
        self.webhook = webhook
        self.logger = logger
        self.dailyLoss = settings.dailyLossLimit.map(DailyLossWatch.init(limit:))
    }

    /// Reads, compares, acts. An input that cannot be read keeps its last value and its old
    /// time stamp, so it turns stale instead of reading as "in sync".
    public func run(nowMillis: Int64) {
        count += 1
        lastRunAtMillis = nowMillis
        let timeout = Int32(min(settings.requestTimeoutMillis, 3_000))
        // The journal: exec-proc's snapshot (its orders that may be live, and recent events).
        if let snapshot = try? RequestClient(context: context, endpoint: settings.layout.snapshot)
            .call(Polypipe_Bus_V1_SnapshotRequest(), expecting: Polypipe_Bus_V1_Snapshot.self, timeoutMilliseconds: timeout) {
            inputs.apply(snapshot.orders, nowMillis: nowMillis)
            journal = ReconInputs.journalOrders(snapshot)
            journalAsOf = nowMillis
        }
        // Paper is current while exec-proc is heard from (its events feed the paper book).
        paperAsOf = max(paperAsOf, journalAsOf, execHeardAtMillis)
        // Actual: fill-proc's state, as of its own last venue read.
        if let state = try? RequestClient(context: context, endpoint: settings.layout.fillSnapshot)
            .call(Polypipe_Bus_V1_SnapshotRequest(), expecting: Polypipe_Bus_V1_FillState.self, timeoutMilliseconds: timeout) {
            inputs.apply(fillState: state, nowMillis: nowMillis)
            actual = ReconInputs.actualPositions(state)
            venueKnown = ReconInputs.venueKnownOrderIDs(state)
            fillsAsOf = state.asOfMs
            realizedMicros = state.realizedPnlMicros
            // fill-proc saw a window resolve: the paper book closes the same way (winner read once).
            for market in Set(state.positions.filter(\.resolved).map(\.market)) where !resolvedMarkets.contains(market) {
                guard let resolution = try? venue.resolution(conditionID: market), let winner = resolution.winner else { continue }
                inputs.resolve(market: market, winner: winner, atMillis: nowMillis)
                resolvedMarkets.insert(market)
            }
        }
        // The venue's open orders, read by recon-proc itself.
        do {
            let open = try venue.openOrders()
            inputs.apply(venueOpenOrders: open, nowMillis: nowMillis)
            venueOrders = open.map(VenueOrder.init)
            venueAsOf = nowMillis
        } catch {
            logger.warning("cannot read the venue's open orders", metadata: ["error": "\(error)"])
        }

        let input = ReconciliationInput(nowMillis: nowMillis, paper: Timestamped(inputs.paper.positions, asOfMillis: paperAsOf),
                                        actual: Timestamped(actual, asOfMillis: fillsAsOf),
                                        journalOpenOrders: Timestamped(journal, asOfMillis: journalAsOf),
                                        venueOpenOrders: Timestamped(venueOrders, asOfMillis: venueAsOf), venueKnownOrderIDs: venueKnown)
        let result = reconciler.reconcile(input)
        var findings = result.findings
        if let realizedMicros, let loss = dailyLoss?.observe(realizedMicros: realizedMicros, nowMillis: nowMillis,
                                                             severity: settings.policy.severity(of: .dailyLoss)) {
            findings.append(loss)
        }
        for transition in tracker.observe(findings, nowMillis: nowMillis) { act(on: transition) }
        haltIfNeeded()

        var report = Polypipe_Bus_V1_ReconReport()
        report.source = publisher.source
        report.epoch = publisher.epoch
        report.sequence = publisher.sequence
        report.atMs = nowMillis
        report.cycle = count
        report.active = tracker.activeFindings.map { alarm($0, cleared: false, at: nowMillis) }
        report.inSync = report.active.isEmpty
        report.positionsCompared = UInt32(clamping: result.positionsCompared)
        report.alarmsRaised = raised
        report.alarmsCleared = cleared
        report.positions = Self.checks(paper: input.paper.value, actual: input.actual.value)
        self.report = report
        metrics.record(report)
        _ = try? publisher.publish(topic: BusLayout.Topic.recon, message: report)
        logger.debug("reconciliation cycle", metadata: ["cycle": "\(count)", "summary": "\(result.summary)"])
    }

    /// exec-proc's latest status: a halt, reduce-only, a resume or a heartbeat lapse is logged
    /// and sent to the webhook as an operator alert (``ExecWatch``, throttled by the webhook).
    public func observe(execStatus status: Polypipe_Bus_V1_ExecStatus, nowMillis: Int64) {
        for alert in execWatch.observe(status, atMillis: nowMillis) {
            logger.log(level: alert.kind.severity == .critical ? .critical : alert.kind.severity == .warning ? .warning : .notice,
                       "operator alert", metadata: ["kind": "\(alert.kind.rawValue)", "subject": "\(alert.subject)", "detail": "\(alert.message)"])
            webhook?.send(alert: alert)
        }
    }

    private func act(on transition: AlarmTracker.Transition) {
        let finding = transition.finding
        switch transition {
        case .raised(_, let at):
            raised += 1
            logger.log(level: finding.severity == .critical ? .critical : .warning, "alarm raised", metadata: [
                "kind": "\(finding.kind.rawValue)", "severity": "\(finding.severity.rawValue)", "subject": "\(finding.subject)",
                "detail": "\(finding.message)",
            ])
            let raisedAlarm = alarm(finding, cleared: false, at: at)
            metrics.record(raisedAlarm)
            _ = try? publisher.publish(topic: BusLayout.Topic.alarm, message: raisedAlarm)
        case .cleared(_, let at, let duration):
            cleared += 1
            haltedFor.remove(finding.alarmID)
            logger.notice("alarm cleared", metadata: [
                "kind": "\(finding.kind.rawValue)", "subject": "\(finding.subject)", "lasted_ms": "\(duration)",
            ])
            _ = try? publisher.publish(topic: BusLayout.Topic.alarm, message: alarm(finding, cleared: true, at: at))
        }
        webhook?.send(transition)
    }

    /// Asks exec-proc to halt for the first active alarm at the halt severity that has not
    /// halted it yet. exec-proc journals the reason; resuming is the operator's decision.
    private func haltIfNeeded() {
        guard settings.autoHalt else { return }
        let serious = tracker.activeFindings.filter { settings.policy.shouldHalt([$0]) && !haltedFor.contains($0.alarmID) }
        guard let first = serious.first else { return }
        var request = Polypipe_Bus_V1_ControlRequest()
        request.command = .halt
        request.reason = "recon-proc: \(first.kind.rawValue) \(first.subject): \(first.message)"
        do {
            let reply = try RequestClient(context: context, endpoint: settings.layout.control)
                .call(request, expecting: Polypipe_Bus_V1_ControlReply.self, timeoutMilliseconds: 3_000)
            guard reply.ok else { throw BusError.malformed(topic: "control", reason: reply.error) }
            for finding in serious { haltedFor.insert(finding.alarmID) }
            logger.critical("exec-proc halted by recon-proc", metadata: ["alarm": "\(first.alarmID)"])
        } catch {
            logger.error("cannot halt exec-proc; will ask again next cycle", metadata: ["error": "\(error)"])
        }
    }

    static func checks(paper: [PaperPosition], actual: [ActualPosition]) -> [Polypipe_Bus_V1_PositionCheck] {
        let papers = Dictionary(paper.map { ($0.key, $0) }, uniquingKeysWith: { _, last in last })
        let actuals = Dictionary(actual.map { ($0.key, $0) }, uniquingKeysWith: { _, last in last })
        return Set(papers.keys).union(actuals.keys).sorted().map { key in
            var check = Polypipe_Bus_V1_PositionCheck()
            check.market = key.market
            check.tokenID = key.token.description
            check.paperSizeMicros = papers[key]?.size.micros ?? 0
            check.paperPriceMicros = papers[key]?.averagePrice.micros ?? 0
            check.actualSizeMicros = actuals[key]?.size.micros ?? 0
            check.actualPriceMicros = actuals[key]?.averagePrice.micros ?? 0
            return check
        }
    }

    private func alarm(_ finding: Finding, cleared: Bool, at: Int64) -> Polypipe_Bus_V1_Alarm {
        var message = Polypipe_Bus_V1_Alarm()
        message.kind = finding.kind.rawValue
        switch finding.severity {
        case .info: message.severity = .info
        case .warning: message.severity = .warning
        case .critical: message.severity = .critical
        }
        message.subject = finding.subject
        message.detail = finding.message
        message.cleared = cleared
        message.atMs = at
        message.haltRequested = haltedFor.contains(finding.alarmID)
        return message
    }
}
