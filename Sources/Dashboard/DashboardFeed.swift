import Bus
import Logging
import PolypipeCore
import PolypipeRuntime
import Synchronization

/// The dashboard's model, shared by the thread that follows the bus and the HTTP handlers that
/// read it. ``version`` grows with every change, so a live page sends only what is new.
public final class DashboardStore: Sendable {
    private struct State {
        var model = DashboardModel()
        var version: UInt64 = 0
    }
    private let state = Mutex(State())

    public init() {}

    public func update(_ body: (inout DashboardModel) -> Void) {
        state.withLock { state in
            body(&state.model)
            state.version += 1
        }
    }

    public var version: UInt64 { state.withLock { $0.version } }
    public var model: DashboardModel { state.withLock { $0.model } }
}

/// Follows a stack for the dashboard: its state first (exec-proc's, fill-proc's and
/// recon-proc's snapshot sockets), then every message its publishers send (``BusTap``). Read
/// only: it asks for snapshots and listens; it never sends an action or a command.
///
/// Rules:
/// - Snapshots are asked at start, and again whenever a publisher restarts or a gap shows (the
///   bus is lossy, ``SequenceTracker``), at most every 2 s.
/// - A process that does not answer leaves its part of the page as it was.
public final class DashboardFeed: Sendable {
    private let worker: BackgroundWorker

    public init(layout: BusLayout, store: DashboardStore, logger: Logger) throws(BusError) {
        let context = try ZmqContext()
        nonisolated(unsafe) let tap = try BusTap(context: context, layout: layout)  // used on the worker's thread only
        worker = BackgroundWorker(name: "dashboard-feed") { worker in
            var trackers: [BusTap.Publisher: SequenceTracker] = [:]
            var snapshotDue = true
            var lastSnapshotAt: Int64 = 0
            while !worker.isStopRequested {
                let now = BusClock.nowMillis()
                if snapshotDue, now - lastSnapshotAt >= 2_000 {
                    Self.takeSnapshots(context: context, layout: layout, store: store, logger: logger)
                    lastSnapshotAt = now
                    snapshotDue = false
                }
                let messages: [BusTap.Message]
                do { messages = try tap.receive(timeoutMilliseconds: 200) } catch {
                    logger.warning("dashboard: the bus tap failed", metadata: ["error": "\(error)"])
                    worker.sleep(milliseconds: 500)
                    continue
                }
                guard !messages.isEmpty else { continue }
                for message in messages {
                    switch trackers[message.publisher, default: SequenceTracker()].observe(message.envelope) {
                    case .inOrder, .stale: break
                    case .firstContact, .gap, .restarted: snapshotDue = true
                    }
                }
                store.update { model in for message in messages { model.apply(message) } }
            }
        }
    }

    public func start() { worker.start() }

    public func stop() {
        worker.stop()
        worker.join()
    }

    private static func takeSnapshots(context: ZmqContext, layout: BusLayout, store: DashboardStore, logger: Logger) {
        let now = BusClock.nowMillis()
        let exec = try? RequestClient(context: context, endpoint: layout.snapshot)
            .call(Polypipe_Bus_V1_SnapshotRequest(), expecting: Polypipe_Bus_V1_Snapshot.self, timeoutMilliseconds: 1_000)
        let fills = try? RequestClient(context: context, endpoint: layout.fillSnapshot)
            .call(Polypipe_Bus_V1_SnapshotRequest(), expecting: Polypipe_Bus_V1_FillState.self, timeoutMilliseconds: 1_000)
        let recon = try? RequestClient(context: context, endpoint: layout.reconSnapshot)
            .call(Polypipe_Bus_V1_SnapshotRequest(), expecting: Polypipe_Bus_V1_ReconReport.self, timeoutMilliseconds: 1_000)
        store.update { model in
            if let exec {
                if exec.hasStatus { model.apply(status: exec.status, at: now) }
                for event in exec.orders { model.apply(order: event, at: now) }
            }
            if let fills {
                for fill in fills.fills { model.apply(fill: fill) }
                model.apply(state: fills, at: now)
            }
            if let recon { model.apply(report: recon) }
        }
        logger.debug("dashboard: snapshots", metadata: [
            "exec": "\(exec != nil)", "fill": "\(fills != nil)", "recon": "\(recon != nil)",
        ])
    }
}
