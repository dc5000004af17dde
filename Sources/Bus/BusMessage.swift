import SwiftProtobuf

/// Decoding a schema message from a bus payload, with an error that names what was wrong.
extension SwiftProtobuf.Message {
    /// - Throws: ``BusError/malformed(topic:reason:)`` naming the type and the decoder's reason.
    public init(busPayload payload: [UInt8], topic: String) throws(BusError) {
        do {
            self = try Self(serializedBytes: payload)
        } catch {
            throw .malformed(topic: topic, reason: "payload is not a valid \(Self.protoMessageName): \(error)")
        }
    }

    /// The serialized bytes; schema messages always serialize (no required fields in proto3).
    public var busPayload: [UInt8] { (try? serializedBytes()) ?? [] }
}
