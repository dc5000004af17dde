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
    /// Counts what was sent and what was not (``SignalMetrics``).
    public let metrics: SignalMetrics

    /// - Throws: ``BusError`` when the signal directory or a socket cannot be set up.
    public init(context: ZmqContext, layout: BusLayout, logger: Logger, metrics: SignalMetrics = SignalMetrics()) throws(BusError) {
        self.metrics = metrics
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
        let metadata: Logger.Metadata = [
            "action.id": "\(proposal.id)", "market.id": "\(proposal.market)", "token.id": "\(proposal.tokenID)",
            "order.side": "\(proposal.side.rawValue)", "order.size": "\(proposal.size)", "order.price": "\(proposal.limitPrice)",
            "order.expected_price": "\(proposal.expectedPrice)", "action.ttl_ms": "\(proposal.ttlMillis)",
            "action.strategy": "\(proposal.strategy)",
        ]
        return deliver(topic: BusLayout.Topic.action, payload: proposal.busMessage.busPayload, what: "action", metadata: metadata)
    }

    /// Sends a strategy's command: a placement as ``send(_:)-(ActionProposal)`` does; a replace
    /// or a cancel on its own topic, on both sockets, logged on one line.
    /// - Returns: whether exec-proc's queue took it.
    @discardableResult
    public func send(_ command: StrategyCommand) -> Bool {
        if case .place(let proposal) = command { return send(proposal) }
        let (topic, payload) = command.busMessage(nowMillis: BusClock.nowMillis())
        var metadata: Logger.Metadata = ["command.id": "\(command.id)"]
        switch command {
        case .replace(let target, let proposal, _):
            metadata["replace.cancel"] = "\(target)"
            metadata["order.price"] = "\(proposal.limitPrice)"
            metadata["order.size"] = "\(proposal.size)"
            metadata["token.id"] = "\(proposal.tokenID)"
        case .cancel(_, let target, let reason):
            metadata["cancel.target"] = "\(target)"
            metadata["cancel.reason"] = "\(reason)"
        case .place:
            break
        }
        return deliver(topic: topic, payload: payload, what: topic, metadata: metadata)
    }

    /// PUSH to exec-proc (never blocking: a full queue is reported) and PUB to subscribers, then
    /// one log line.
    private func deliver(topic: String, payload: [UInt8], what: String, metadata: Logger.Metadata) -> Bool {
        var metadata = metadata
        var delivered = false
        do {
            pushSequence += 1
            let frames = Envelope(topic: topic, source: push.source, epoch: push.epoch, sequence: pushSequence,
                                  sentAtNanos: BusClock.nowNanos(), payload: payload).frames()
            delivered = try push.socket.sendNow(frames)
            try publish.publish(topic: topic, payload: payload)
        } catch {
            metadata["error"] = "\(error)"
            logger.error("\(what) not sent", metadata: metadata)
            undelivered += 1
            metrics.command(topic: topic, delivered: false)
            return false
        }
        metrics.command(topic: topic, delivered: delivered)
        if delivered {
            sent += 1
            logger.info("\(what) sent", metadata: metadata)
        } else {
            undelivered += 1
            logger.warning("\(what) not queued for exec-proc (queue full)", metadata: metadata)
        }
        return delivered
    }

    private var pushSequence: UInt64 = 0
}
