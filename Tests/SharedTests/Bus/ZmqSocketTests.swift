import Foundation
import Testing
import Bus

@Suite struct ZmqSocketTests {
    static func runtimeDirectory() throws -> URL {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("polypipe-bus-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        return directory
    }

    @Test func pushPullCarriesEnvelopesOverIPC() throws {
        let directory = try Self.runtimeDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let context = try ZmqContext()
        let pull = try ZmqSocket(context, .pull)
        try pull.bind("ipc://\(directory.path)/actions.sock")
        let push = try ZmqSocket(context, .push)
        try push.connect("ipc://\(directory.path)/actions.sock")
        for sequence in UInt64(1)...100 {
            try push.send(Envelope(topic: "action", source: "test", epoch: 1, sequence: sequence, sentAtNanos: 0, payload: [UInt8(sequence)]).frames())
        }
        var tracker = SequenceTracker()
        var verdicts: [SequenceTracker.Verdict] = []
        for _ in 0..<100 {
            let frames = try #require(try pull.receive(timeoutMilliseconds: 2000))
            verdicts.append(tracker.observe(try Envelope(frames: frames)))
        }
        #expect(verdicts.first == .firstContact && verdicts.dropFirst().allSatisfy { $0 == .inOrder })
        #expect(try pull.receive(timeoutMilliseconds: 10) == nil, "nothing more: a timeout, not an error")
    }

    @Test func subscribersFilterByTopicPrefix() throws {
        let directory = try Self.runtimeDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let context = try ZmqContext()
        let publisher = try ZmqSocket(context, .publish)
        try publisher.bind("ipc://\(directory.path)/events.sock")
        let subscriber = try ZmqSocket(context, .subscribe)
        try subscriber.subscribe("order.")
        try subscriber.connect("ipc://\(directory.path)/events.sock")
        // PUB/SUB drops what is sent before the subscription reaches the publisher (the "slow
        // joiner"): publish until the first message arrives, as a real subscriber would resync.
        var received: Envelope?
        for sequence in UInt64(1)...200 where received == nil {
            try publisher.send(Envelope(topic: "fill.new", source: "p", epoch: 1, sequence: sequence, sentAtNanos: 0, payload: []).frames())
            try publisher.send(Envelope(topic: "order.accepted", source: "p", epoch: 1, sequence: sequence, sentAtNanos: 0, payload: []).frames())
            if let frames = try subscriber.receive(timeoutMilliseconds: 20) { received = try Envelope(frames: frames) }
        }
        #expect(received?.topic == "order.accepted")
    }

    @Test func badEndpointsAndBindConflictsAreClearErrors() throws {
        let context = try ZmqContext()
        let socket = try ZmqSocket(context, .pull)
        #expect(throws: BusError.badEndpoint("inproc://x")) { try socket.bind("inproc://x") }
        do {
            try socket.bind("ipc:///nonexistent-dir-\(UUID().uuidString)/x.sock")
            Issue.record("bound in a directory that does not exist")
        } catch {
            #expect(error.description.hasPrefix("zmq: zmq_bind"))
        }
    }
}
