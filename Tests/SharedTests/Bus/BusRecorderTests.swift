import Foundation
import Logging
import PolypipeCore
import PolypipeRuntime
import Testing
import Bus

/// The bus recording: every publisher's messages land in the file, decoded by topic; what
/// cannot be decoded is kept, not dropped; an existing file is never overwritten.
@Suite struct BusRecorderTests {
    private func message(_ topic: String, _ payload: [UInt8], publisher: BusTap.Publisher = .exec) -> BusTap.Message {
        BusTap.Message(publisher: publisher, envelope: Envelope(topic: topic, source: "exec-proc", epoch: 9, sequence: 4,
                                                                sentAtNanos: 123, payload: payload),
                       receivedAtMillis: 1_796_661_600_123)
    }

    @Test func aKnownTopicIsWrittenInTheSchemasJSON() throws {
        var event = Polypipe_Bus_V1_OrderEvent()
        event.orderID = "0xabc"
        event.sizeMicros = 5_000_000
        let line = BusRecordLine.line(message(BusLayout.Topic.order, event.busPayload))
        let json = try JSONParser.parse(line)
        #expect(json["t"]?.scalarText == "1796661600123" && json["publisher"]?.scalarText == "exec")
        #expect(json["topic"]?.scalarText == "order" && json["seq"]?.scalarText == "4" && json["epoch"]?.scalarText == "9")
        #expect(json["data"]?["orderId"]?.scalarText == "0xabc")
        #expect(json["data"]?["sizeMicros"]?.scalarText == "5000000")
        #expect(json["payload_base64"] == nil && json["error"] == nil)
    }

    @Test func anUnknownTopicOrABadPayloadKeepsItsBytes() throws {
        let unknown = try JSONParser.parse(BusRecordLine.line(message("later-topic", [1, 2, 3])))
        #expect(unknown["payload_base64"]?.scalarText == "AQID" && unknown["data"] == nil && unknown["error"] == nil)
        let bad = try JSONParser.parse(BusRecordLine.line(message(BusLayout.Topic.fill, [0xFF, 0xFF, 0xFF])))
        #expect(bad["payload_base64"]?.scalarText == "////")
        #expect(bad["error"]?.scalarText?.contains("polypipe.bus.v1.Fill") == true, "\(bad)")
    }

    @Test func theRecorderWritesWhatEachPublisherSends() throws {
        let directory = try ZmqSocketTests.runtimeDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let layout = BusLayout(runtimeDirectory: directory.path)
        for path in [layout.execDirectory, layout.fillDirectory] { try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true) }
        let path = directory.path + "/bus.jsonl"
        let recorder = try BusRecorder(layout: layout, path: path, logger: Logger(label: "test"))
        recorder.start()
        let context = try ZmqContext()
        let exec = try ZmqSocket(context, .publish)
        try exec.bind(layout.events)
        let fill = try ZmqSocket(context, .publish)
        try fill.bind(layout.fillEvents)
        let execPublisher = BusPublisher(socket: exec, source: "exec-proc")
        let fillPublisher = BusPublisher(socket: fill, source: "fill-proc")
        // Publish for a while: a subscriber misses what is sent before it has joined.
        var status = Polypipe_Bus_V1_ExecStatus()
        status.mode = "paper"
        var fillMessage = Polypipe_Bus_V1_Fill()
        fillMessage.tradeID = "trade-1"
        for _ in 0..<40 {
            try execPublisher.publish(topic: BusLayout.Topic.status, message: status)
            try fillPublisher.publish(topic: BusLayout.Topic.fill, message: fillMessage)
            usleep(25_000)
        }
        let summary = try recorder.stop()
        #expect(summary.byTopic["status", default: 0] >= 20 && summary.byTopic["fill", default: 0] >= 20, "\(summary)")
        #expect(summary.messages == summary.byTopic.values.reduce(0, +))

        let lines = try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n").map { try JSONParser.parse(String($0)) }
        #expect(lines.first?["polypipe_bus_recording"]?.scalarText == "1")
        #expect(lines.first?["runtime_dir"]?.scalarText == directory.path)
        let body = lines.dropFirst()
        #expect(body.count == summary.messages)
        let fills = body.filter { $0["topic"]?.scalarText == "fill" }
        #expect(fills.allSatisfy { $0["publisher"]?.scalarText == "fill" && $0["data"]?["tradeId"]?.scalarText == "trade-1" })
        // Sequence numbers arrive in order, so a gap would show.
        let sequences = fills.compactMap { $0["seq"]?.scalarText.flatMap { Int($0) } }
        #expect(sequences == sequences.sorted() && Set(sequences).count == sequences.count)
        #expect(body.filter { $0["topic"]?.scalarText == "status" }.allSatisfy { $0["data"]?["mode"]?.scalarText == "paper" })

        // A second recorder never overwrites the file.
        #expect(throws: FileWriteError.exists(path)) { try BusRecorder(layout: layout, path: path, logger: Logger(label: "test")) }
    }
}
