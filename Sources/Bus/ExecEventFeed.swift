import Logging

/// Follows exec-proc's events (`exec/events.sock`) the way every subscriber should (ZeroMQ
/// guide "Clone"): it subscribes to every topic of the publisher, because sequence numbers
/// count them all, and when a message shows that something was missed — first contact, a gap,
/// a restart of exec-proc — it asks `exec/snapshot.sock` for the current state and returns
/// that state's order events before going on.
///
/// Consumers must apply order events idempotently: after a snapshot they see again the latest
/// event of recent orders.
public final class ExecEventFeed {
    /// Poll this for readability with the consumer's other sockets.
    public let socket: ZmqSocket
    private let snapshots: RequestClient
    private var tracker = SequenceTracker()
    private let logger: Logger
    /// exec-proc's latest status (once a second while it runs).
    public private(set) var status: Polypipe_Bus_V1_ExecStatus?
    /// When anything last arrived from exec-proc (our clock, unix ms); 0 before the first.
    public private(set) var lastMessageAtMillis: Int64 = 0
    public private(set) var malformed = 0
    public private(set) var snapshotsTaken = 0
    /// A snapshot is owed (a gap was seen but exec-proc did not answer yet).
    public private(set) var needsSnapshot = false
    /// Receives each cancel event (topic "canceled") as it is read; snapshots do not carry them.
    public var onCancelEvent: ((Polypipe_Bus_V1_CancelEvent) -> Void)?

    public init(context: ZmqContext, layout: BusLayout, logger: Logger) throws(BusError) {
        socket = try ZmqSocket(context, .subscribe)
        try socket.setHighWaterMark(100_000)
        try socket.connect(layout.events)
        try socket.subscribe("")
        snapshots = RequestClient(context: context, endpoint: layout.snapshot)
        self.logger = logger
    }

    /// Reads every waiting message. - Returns: the order events to apply, in order (a
    /// snapshot's events first when one was needed).
    public func drain(nowMillis: Int64) -> [Polypipe_Bus_V1_OrderEvent] {
        var events: [Polypipe_Bus_V1_OrderEvent] = []
        while let frames = try? socket.receiveNow() {
            lastMessageAtMillis = nowMillis
            let envelope: Envelope
            do { envelope = try Envelope(frames: frames) } catch {
                malformed += 1
                logger.warning("dropped a malformed message from exec-proc", metadata: ["error": "\(error)"])
                continue
            }
            switch tracker.observe(envelope) {
            case .stale: continue
            case .inOrder: break
            case .firstContact, .gap, .restarted: needsSnapshot = true
            }
            if needsSnapshot {
                // The snapshot is at least as new as this message; it replaces applying it.
                if let snapshot = takeSnapshot() { events += snapshot; continue }
            }
            do {
                switch envelope.topic {
                case BusLayout.Topic.order: events.append(try Polypipe_Bus_V1_OrderEvent(busPayload: envelope.payload, topic: envelope.topic))
                case BusLayout.Topic.status: status = try Polypipe_Bus_V1_ExecStatus(busPayload: envelope.payload, topic: envelope.topic)
                case BusLayout.Topic.canceled:
                    let event = try Polypipe_Bus_V1_CancelEvent(busPayload: envelope.payload, topic: envelope.topic)
                    onCancelEvent?(event)
                default: break  // a topic added later: not ours to read
                }
            } catch {
                malformed += 1
                logger.warning("dropped a malformed message from exec-proc", metadata: ["error": "\(error)"])
            }
        }
        return events
    }

    /// Asks exec-proc for its state now (also at startup, before any message arrived).
    /// - Returns: its order events, or nil when it did not answer (retried at the next message).
    public func takeSnapshot(timeoutMilliseconds: Int32 = 2_000) -> [Polypipe_Bus_V1_OrderEvent]? {
        do {
            let snapshot = try snapshots.call(Polypipe_Bus_V1_SnapshotRequest(), expecting: Polypipe_Bus_V1_Snapshot.self,
                                              timeoutMilliseconds: timeoutMilliseconds)
            tracker.resynchronized(source: snapshot.source, epoch: snapshot.epoch, sequence: snapshot.sequence)
            status = snapshot.status
            needsSnapshot = false
            snapshotsTaken += 1
            return snapshot.orders
        } catch {
            needsSnapshot = true
            logger.notice("exec-proc snapshot not available yet", metadata: ["error": "\(error)"])
            return nil
        }
    }
}
