import Logging
import Bus
import PolypipeCore

/// Where signal-proc's actions go: PUSH to exec-proc's `actions.sock` and PUB on its own
/// `signals.sock` (for recon-proc and any recorder), each message on topic "action" in the bus
/// envelope (``BusLayout``).
///
/// The PUB socket is bound in `<runtime>/signal/` through ``SocketDirectory`` (owner-only, a
/// second instance is refused). The PUSH socket connects, so exec-proc may start before or
/// after signal-proc; until it is there, actions queue (up to the high-water mark) and are
/// delivered when it binds.
///
/// Not thread-safe (it owns two ZeroMQ sockets): use it from one task.
public final class ActionOutlet {
    private let push: BusPublisher
    private let publish: BusPublisher
    private let logger: Logger
    public private(set) var sent: UInt64 = 0
    public private(set) var undelivered: UInt64 = 0

    /// - Throws: ``BusError`` when the signal directory or a socket cannot be set up.
    public init(context: ZmqContext, layout: BusLayout, logger: Logger) throws(BusError) {
        let directory = try SocketDirectory(layout.signalDirectory)
        let pub = try ZmqSocket(context, .publish)
        try directory.bind(pub, name: "signals.sock")
        let pushSocket = try ZmqSocket(context, .push)
        try pushSocket.setHighWaterMark(10_000)
        try pushSocket.connect(layout.actions)
        push = BusPublisher(socket: pushSocket, source: "signal-proc")
        publish = BusPublisher(socket: pub, source: "signal-proc")
        self.logger = logger
    }

    /// Sends one action on both sockets and logs it on one line.
    /// - Returns: whether exec-proc's queue took it (false: the PUSH queue is full).
    @discardableResult
    public func send(_ proposal: ActionProposal) -> Bool {
        let message = proposal.busMessage
        var metadata: Logger.Metadata = [
            "action.id": "\(proposal.id)", "market.id": "\(proposal.market)", "token.id": "\(proposal.tokenID)",
            "order.side": "\(proposal.side.rawValue)", "order.size": "\(proposal.size)", "order.price": "\(proposal.limitPrice)",
            "order.expected_price": "\(proposal.expectedPrice)", "action.ttl_ms": "\(proposal.ttlMillis)",
            "action.strategy": "\(proposal.strategy)",
        ]
        var delivered = false
        do {
            delivered = try push.socket.sendNow(nextFrames(push, message))
            try publish.publish(topic: BusLayout.Topic.action, message: message)
        } catch {
            metadata["error"] = "\(error)"
            logger.error("action not sent", metadata: metadata)
            undelivered += 1
            return false
        }
        if delivered {
            sent += 1
            logger.info("action sent", metadata: metadata)
        } else {
            undelivered += 1
            logger.warning("action not queued for exec-proc (queue full)", metadata: metadata)
        }
        return delivered
    }

    private var pushSequence: UInt64 = 0

    /// The envelope frames for the PUSH socket, stamped with this publisher's identity and the
    /// next sequence (``BusPublisher/publish(topic:payload:)`` would block on a full queue;
    /// here a full queue is reported instead).
    private func nextFrames(_ publisher: BusPublisher, _ message: Polypipe_Bus_V1_Action) -> [[UInt8]] {
        pushSequence += 1
        return Envelope(topic: BusLayout.Topic.action, source: publisher.source, epoch: publisher.epoch, sequence: pushSequence,
                        sentAtNanos: BusClock.nowNanos(), payload: message.busPayload).frames()
    }
}
