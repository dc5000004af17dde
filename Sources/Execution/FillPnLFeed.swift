import Logging
import Bus

/// exec-proc's subscription to fill-proc's "position" topic (`fill/events.sock`): each
/// `FillState` carries fill-proc's total realized P&L, net of fees, which the executor turns
/// into today's figure and checks against the daily loss limit (``DailyRealizedPnL``).
///
/// Every message is the whole total, so a missed one costs nothing and no snapshot is needed;
/// fill-proc not running is a socket with nothing to read (ZeroMQ reconnects on its own), which
/// the executor notices as silence. A malformed message is counted and logged, nothing else.
public final class FillPnLFeed {
    /// Poll this for readability with the loop's other sockets.
    public let socket: ZmqSocket
    private let logger: Logger

    public init(context: ZmqContext, layout: BusLayout, logger: Logger) throws(BusError) {
        socket = try ZmqSocket(context, .subscribe)
        try socket.connect(layout.fillEvents)
        try socket.subscribe(BusLayout.Topic.position)
        self.logger = logger
    }

    /// Hands every waiting total to `executor`.
    public func drain(into executor: Executor) {
        while let frames = try? socket.receiveNow() {
            do {
                let envelope = try Envelope(frames: frames)
                guard envelope.topic == BusLayout.Topic.position else { continue }
                let state = try Polypipe_Bus_V1_FillState(busPayload: envelope.payload, topic: envelope.topic)
                executor.observeRealizedPnL(totalMicros: state.realizedPnlMicros)
            } catch {
                executor.countMalformed()
                logger.warning("dropped a malformed message from fill-proc", metadata: ["error": "\(error)", "frames": "\(frames.count)"])
            }
        }
    }
}
