import Foundation
import PolypipeTesting
import Testing
import Bus

/// The real binaries: clob-sim on a free port and signal-proc (fair-value) against it; the test
/// plays exec-proc's part by binding the PULL `exec/actions.sock` and waits for an action.
/// Needs `swift build` to have built `clob-sim` and `signal-proc` next to the test bundle.
@Suite(.serialized) struct SignalProcIntegrationTests {
    struct SpawnError: Error, CustomStringConvertible { let description: String }

    @Test func fairValueSendsAnActionToExecProcsSocketAndStopsCleanly() throws {
        var template = Array("/tmp/polypipe-signal-XXXXXX".utf8CString)
        guard let made = mkdtemp(&template) else { throw SpawnError(description: "mkdtemp failed") }
        let runtime = String(cString: made)
        defer { try? FileManager.default.removeItem(atPath: runtime) }
        let layout = BusLayout(runtimeDirectory: runtime)
        let context = try ZmqContext()
        let pull = try ZmqSocket(context, .pull)
        try SocketDirectory(layout.execDirectory).bind(pull, name: "actions.sock")

        // The simple profile: makers quote on whole cents, so the action's price is on the 0.01
        // grid even after a window's tick turns 0.001 (the realistic ladders step by the tick).
        let sim = try ProcessHarness.start("clob-sim", ["--port", "0", "--seed", "11", "--profile", "simple"], readyPrefix: "listening on ")
        defer { sim.kill() }
        let venue = sim.readyLine
        let harness = try ProcessHarness.start("signal-proc", ["--venue", venue, "--runtime-dir", runtime, "--edge", "0", "--cooldown", "1"])
        defer { harness.kill() }
        let signal = harness.process

        // Wait (bounded) for the first action: the model needs a few reference ticks first.
        var frames: [[UInt8]]?
        for _ in 0..<180 where frames == nil {
            frames = try pull.receive(timeoutMilliseconds: 1_000)
        }
        let received = try #require(frames, "no action within 180 s")
        let envelope = try Envelope(frames: received)
        let action = try Polypipe_Bus_V1_Action(busPayload: envelope.payload, topic: envelope.topic)
        #expect(envelope.topic == "action" && envelope.source == "signal-proc" && envelope.sequence == 1)
        #expect(action.strategy == "fair-value" && action.id.hasPrefix("fv-") && action.side == .buy)
        #expect((1..<1_000_000).contains(action.limitPriceMicros) && action.limitPriceMicros % 10_000 == 0, "on the 0.01 tick")
        #expect(action.expectedPriceMicros == action.limitPriceMicros && action.sizeMicros == 10_000_000 && action.ttlMs == 5_000)
        #expect(action.market.hasPrefix("0x") && !action.tokenID.isEmpty && action.createdAtMs > 0)

        kill(signal.processIdentifier, SIGTERM)
        signal.waitUntilExit()
        #expect(signal.terminationReason == .exit && signal.terminationStatus == 0)
    }
}
