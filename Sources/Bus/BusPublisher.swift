import SwiftProtobuf

#if canImport(Glibc)
import Glibc
#endif
import PolypipeCore

/// Stamps and sends messages on one socket (PUB or PUSH): every message gets this publisher's
/// `source`, its `epoch` (the wall-clock nanosecond it started, so a restart always moves
/// forward) and the next `sequence`.
///
/// Not thread-safe, like the socket it owns.
public final class BusPublisher {
    public let socket: ZmqSocket
    public let source: String
    public let epoch: UInt64
    public private(set) var sequence: UInt64 = 0

    public init(socket: ZmqSocket, source: String, epoch: UInt64 = BusClock.nowNanos()) {
        self.socket = socket
        self.source = source
        self.epoch = epoch
    }

    /// Sends `payload` under `topic`, blocking if a PUSH peer's queue is full.
    /// - Returns: the envelope that was sent.
    @discardableResult
    public func publish(topic: String, payload: [UInt8]) throws(BusError) -> Envelope {
        sequence += 1
        let envelope = Envelope(topic: topic, source: source, epoch: epoch, sequence: sequence,
                                sentAtNanos: BusClock.nowNanos(), payload: payload)
        try socket.send(envelope.frames())
        return envelope
    }

    /// Serializes a schema message and sends it.
    @discardableResult
    public func publish(topic: String, message: some SwiftProtobuf.Message) throws(BusError) -> Envelope {
        let payload: [UInt8]
        do { payload = try message.serializedBytes() } catch {
            throw .malformed(topic: topic, reason: "cannot serialize \(type(of: message)): \(error)")
        }
        return try publish(topic: topic, payload: payload)
    }
}
