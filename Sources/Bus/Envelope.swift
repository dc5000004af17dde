/// One bus message: a topic, who sent it and where in its stream it stands, and an opaque payload.
///
/// Every publisher stamps `(source, epoch, sequence)`: `epoch` changes when the publisher
/// restarts, `sequence` counts from 1 within an epoch. A subscriber that sees a gap or a new
/// epoch asks for a snapshot instead of trusting lossy PUB/SUB (ZeroMQ guide, "Clone" pattern);
/// ``SequenceTracker`` makes that call.
///
/// On the wire it is three ZeroMQ frames: the topic (so SUB prefix filtering works), a fixed
/// header, and the payload. Header, version 1, big-endian:
/// `version u8 ‖ epoch u64 ‖ sequence u64 ‖ sentAt ns u64 ‖ source length u8 ‖ source utf8`.
public struct Envelope: Sendable, Hashable {
    public static let version: UInt8 = 1

    public var topic: String
    public var source: String
    public var epoch: UInt64
    public var sequence: UInt64
    /// Unix time in nanoseconds when the publisher sent it.
    public var sentAtNanos: UInt64
    public var payload: [UInt8]

    public init(topic: String, source: String, epoch: UInt64, sequence: UInt64, sentAtNanos: UInt64, payload: [UInt8]) {
        self.topic = topic
        self.source = source
        self.epoch = epoch
        self.sequence = sequence
        self.sentAtNanos = sentAtNanos
        self.payload = payload
    }

    /// The three frames to send.
    public func frames() -> [[UInt8]] {
        var header: [UInt8] = [Self.version]
        header.reserveCapacity(26 + source.utf8.count)
        for value in [epoch, sequence, sentAtNanos] {
            withUnsafeBytes(of: value.bigEndian) { header.append(contentsOf: $0) }
        }
        let name = Array(source.utf8.prefix(255))
        header.append(UInt8(name.count))
        header.append(contentsOf: name)
        return [Array(topic.utf8), header, payload]
    }

    /// Reads three frames back.
    /// - Throws: ``BusError`` naming what was wrong; never traps on any input.
    public init(frames: [[UInt8]]) throws(BusError) {
        let topic = frames.first.map { String(decoding: $0, as: UTF8.self) } ?? ""
        guard frames.count == 3 else { throw .malformed(topic: topic, reason: "expected 3 frames, got \(frames.count)") }
        let header = frames[1]
        guard let version = header.first else { throw .malformed(topic: topic, reason: "empty header") }
        guard version == Self.version else { throw .unsupportedVersion(version) }
        guard header.count >= 26 else { throw .malformed(topic: topic, reason: "header of \(header.count) bytes is shorter than 26") }
        func word(_ offset: Int) -> UInt64 {
            header[offset..<(offset + 8)].reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
        }
        let nameLength = Int(header[25])
        guard header.count == 26 + nameLength else {
            throw .malformed(topic: topic, reason: "header says a \(nameLength)-byte source but has \(header.count - 26) bytes")
        }
        guard let source = String(validating: header[26...], as: UTF8.self) else {
            throw .malformed(topic: topic, reason: "source is not UTF-8")
        }
        self.init(topic: topic, source: source, epoch: word(1), sequence: word(9), sentAtNanos: word(17), payload: frames[2])
    }
}
