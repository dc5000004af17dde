import PolypipeCore

/// A read-only listener on every publisher of one stack: exec-proc's events, signal-proc's
/// actions, fill-proc's fills and positions, recon-proc's alarms and reports — what
/// `polypipe record-bus` and `polypipe up --record-bus` write down.
///
/// ```swift
/// let tap = try BusTap(context: ZmqContext(), layout: BusLayout(runtimeDirectory: dir))
/// while running {
///     for message in try tap.receive(timeoutMilliseconds: 100) { write(message) }
/// }
/// ```
///
/// Rules:
/// - It only subscribes (SUB, every topic); it never sends, so it cannot change the stack.
/// - It may start before the stack: ZeroMQ connects when a publisher binds, and reconnects
///   after a publisher restarts. What was published before it connected is not seen.
/// - A slow tap loses messages rather than slowing a publisher (PUB drops past the high-water
///   mark); ``Message/envelope`` sequence numbers show any gap.
/// - Not thread-safe, like its sockets: use it on one thread.
public final class BusTap {
    /// The stack's publishers, one socket each.
    public enum Publisher: String, CaseIterable, Sendable {
        case exec, signal, fill, recon

        func endpoint(in layout: BusLayout) -> String {
            switch self {
            case .exec: return layout.events
            case .signal: return layout.signals
            case .fill: return layout.fillEvents
            case .recon: return layout.reconEvents
            }
        }
    }

    /// One message as the tap received it.
    public struct Message: Sendable {
        public var publisher: Publisher
        public var envelope: Envelope
        /// This host's clock when the tap read it (unix ms).
        public var receivedAtMillis: Int64

        public init(publisher: Publisher, envelope: Envelope, receivedAtMillis: Int64) {
            self.publisher = publisher
            self.envelope = envelope
            self.receivedAtMillis = receivedAtMillis
        }
    }

    /// Frames that were not an envelope, per publisher (a bug or another version).
    public private(set) var malformed: [Publisher: Int] = [:]
    private let sockets: [(Publisher, ZmqSocket)]

    public init(context: ZmqContext, layout: BusLayout, publishers: [Publisher] = Publisher.allCases) throws(BusError) {
        var sockets: [(Publisher, ZmqSocket)] = []
        for publisher in publishers {
            let socket = try ZmqSocket(context, .subscribe)
            try socket.setHighWaterMark(100_000)
            try socket.connect(publisher.endpoint(in: layout))
            try socket.subscribe("")
            sockets.append((publisher, socket))
        }
        self.sockets = sockets
    }

    /// Waits up to `timeoutMilliseconds` for a message, then returns every message waiting on
    /// any publisher (empty on timeout).
    public func receive(timeoutMilliseconds: Int32) throws(BusError) -> [Message] {
        let readable = try ZmqSocket.poll(sockets.map(\.1), timeoutMilliseconds: timeoutMilliseconds)
        var messages: [Message] = []
        for (index, (publisher, socket)) in sockets.enumerated() where readable[index] {
            while let frames = try socket.receiveNow() {
                do {
                    messages.append(Message(publisher: publisher, envelope: try Envelope(frames: frames),
                                            receivedAtMillis: BusClock.nowMillis()))
                } catch {
                    malformed[publisher, default: 0] += 1
                }
            }
        }
        return messages
    }
}
