import Testing
import Bus

@Suite struct EnvelopeTests {
    let sample = Envelope(topic: "action", source: "signal-proc", epoch: 1_780_000_000_123, sequence: 42,
                          sentAtNanos: 1_780_000_000_123_456_789, payload: Array("payload".utf8))

    @Test func roundTripsThroughFrames() throws {
        let frames = sample.frames()
        #expect(frames.count == 3 && frames[0] == Array("action".utf8))
        #expect(try Envelope(frames: frames) == sample)
    }

    @Test func malformedFramesNameWhatWasWrongAndNeverTrap() {
        var header = sample.frames()[1]
        let cases: [([[UInt8]], String)] = [
            ([Array("t".utf8)], "expected 3 frames"),
            ([Array("t".utf8), [], []], "empty header"),
            ([Array("t".utf8), [1, 2, 3], []], "shorter than 26"),
            ([Array("t".utf8), Array(header.dropLast()), []], "source"),
        ]
        for (frames, needle) in cases {
            do {
                _ = try Envelope(frames: frames)
                Issue.record("accepted \(frames)")
            } catch {
                #expect(error.description.contains(needle), "\(error)")
            }
        }
        header[0] = 9
        #expect(throws: BusError.unsupportedVersion(9)) { try Envelope(frames: [Array("t".utf8), header, []]) }
    }
}

@Suite struct SequenceTrackerTests {
    func envelope(_ sequence: UInt64, epoch: UInt64 = 1, source: String = "exec-proc") -> Envelope {
        Envelope(topic: "t", source: source, epoch: epoch, sequence: sequence, sentAtNanos: 0, payload: [])
    }

    @Test func inOrderGapsRestartsAndStragglers() {
        var tracker = SequenceTracker()
        #expect(tracker.observe(envelope(1)) == .firstContact)
        #expect(tracker.observe(envelope(2)) == .inOrder)
        #expect(tracker.observe(envelope(5)) == .gap(expected: 3, received: 5))
        #expect(tracker.observe(envelope(6)) == .inOrder)
        #expect(tracker.observe(envelope(4)) == .stale)
        #expect(tracker.observe(envelope(7)) == .inOrder, "a stale message does not move the position")
        #expect(tracker.observe(envelope(1, epoch: 2)) == .restarted(previousEpoch: 1, epoch: 2))
        #expect(tracker.observe(envelope(8, epoch: 1)) == .stale, "a straggler from before the restart")
        #expect(tracker.observe(envelope(2, epoch: 2)) == .inOrder)
        #expect(tracker.observe(envelope(9, source: "fill-proc")) == .firstContact, "sources are tracked apart")
    }

    @Test func aSnapshotMovesThePosition() {
        var tracker = SequenceTracker()
        _ = tracker.observe(envelope(1))
        tracker.resynchronized(source: "exec-proc", epoch: 1, sequence: 10)
        #expect(tracker.observe(envelope(9)) == .stale)
        #expect(tracker.observe(envelope(11)) == .inOrder)
    }
}
