import Foundation
import PolypipeCore
import SwiftProtobuf

/// How a tapped bus message is written in a bus recording: one JSON object per line, the
/// payload decoded by its topic into the schema's JSON (`Sources/Bus/Schema/README.md`).
///
/// ```
/// {"polypipe_bus_recording":1,"started_at_ms":1796661600000,"runtime_dir":"/tmp/polypipe-up.x"}
/// {"t":1796661600123,"publisher":"exec","topic":"order","source":"exec-proc","epoch":"…","seq":"7","sent_ns":"…","data":{"orderId":"…",…}}
/// ```
///
/// A topic this build does not know keeps its bytes (`"payload_base64"`); a payload that does
/// not decode keeps them too, with `"error"` saying why. Nothing received is left out.
public enum BusRecordLine {
    /// The format's version (the header's `polypipe_bus_recording`).
    public static let version = 1

    public static func header(startedAtMillis: Int64, runtimeDirectory: String) -> String {
        JSONWriter.serialize(.object([
            ("polypipe_bus_recording", .number(String(version))), ("started_at_ms", .number(String(startedAtMillis))),
            ("runtime_dir", .string(runtimeDirectory)),
        ]))
    }

    public static func line(_ message: BusTap.Message) -> String {
        let envelope = message.envelope
        let fields = JSONWriter.serialize(.object([
            ("t", .number(String(message.receivedAtMillis))), ("publisher", .string(message.publisher.rawValue)),
            ("topic", .string(envelope.topic)), ("source", .string(envelope.source)),
            ("epoch", .string(String(envelope.epoch))), ("seq", .string(String(envelope.sequence))),
            ("sent_ns", .string(String(envelope.sentAtNanos))),
        ]))
        // `fields` is an object; the payload's JSON joins it as "data" (or the raw bytes).
        let body = fields.dropLast()
        switch decode(topic: envelope.topic, payload: envelope.payload) {
        case .decoded(let json):
            return body + #","data":"# + json + "}"
        case .unknownTopic:
            return body + #","payload_base64":"# + JSONWriter.serialize(.string(base64(envelope.payload))) + "}"
        case .undecodable(let reason):
            return body + #","error":"# + JSONWriter.serialize(.string(reason))
                + #","payload_base64":"# + JSONWriter.serialize(.string(base64(envelope.payload))) + "}"
        }
    }

    enum Decoded: Equatable {
        case decoded(String)
        case unknownTopic
        case undecodable(String)
    }

    /// The schema message each topic carries (`BusLayout.Topic`).
    static func decode(topic: String, payload: [UInt8]) -> Decoded {
        let type: any SwiftProtobuf.Message.Type
        switch topic {
        case BusLayout.Topic.action: type = Polypipe_Bus_V1_Action.self
        case BusLayout.Topic.cancel: type = Polypipe_Bus_V1_CancelRequest.self
        case BusLayout.Topic.replace: type = Polypipe_Bus_V1_ReplaceRequest.self
        case BusLayout.Topic.batch: type = Polypipe_Bus_V1_ActionBatch.self
        case BusLayout.Topic.canceled: type = Polypipe_Bus_V1_CancelEvent.self
        case BusLayout.Topic.order: type = Polypipe_Bus_V1_OrderEvent.self
        case BusLayout.Topic.status: type = Polypipe_Bus_V1_ExecStatus.self
        case BusLayout.Topic.fill: type = Polypipe_Bus_V1_Fill.self
        case BusLayout.Topic.position: type = Polypipe_Bus_V1_FillState.self
        case BusLayout.Topic.alarm: type = Polypipe_Bus_V1_Alarm.self
        case BusLayout.Topic.recon: type = Polypipe_Bus_V1_ReconReport.self
        default: return .unknownTopic
        }
        do {
            let message = try type.init(serializedBytes: payload, extensions: nil, partial: false, options: BinaryDecodingOptions())
            return .decoded(try message.jsonString())
        } catch {
            return .undecodable("payload is not a valid \(type.protoMessageName): \(error)")
        }
    }

    private static func base64(_ bytes: [UInt8]) -> String { Data(bytes).base64EncodedString() }
}
