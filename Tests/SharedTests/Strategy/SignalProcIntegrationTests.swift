import Foundation
import PolypipeTesting
import Testing
import Bus

/// The real binaries: clob-sim on a free port and signal-proc (fair-value) against it; the test
/// plays exec-proc's part by binding the PULL `exec/actions.sock` and waits for an action.
/// Needs `swift build` to have built `clob-sim` and `signal-proc` next to the test bundle.
@Suite(.serialized) struct SignalProcIntegrationTests {
    struct SpawnError: Error, CustomStringConvertible { let description: String }

    /// Starts `binary` and returns it once its first stdout line is `expected…`, with that line.
    static func spawn(_ name: String, _ arguments: [String], firstLinePrefix: String) throws -> (Process, String) {
        let process = Process()
        process.executableURL = try ProcessHarness.binary(name)
        process.arguments = arguments
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        let text = ProcessHarness.firstLine(output)
        guard text.hasPrefix(firstLinePrefix) else {
            kill(process.processIdentifier, SIGKILL)
            throw SpawnError(description: "\(name) printed \"\(text)\" instead of \(firstLinePrefix)")
        }
        return (process, text)
    }

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
        let (sim, listening) = try Self.spawn("clob-sim", ["--port", "0", "--seed", "11", "--profile", "simple"], firstLinePrefix: "listening on ")
        defer { kill(sim.processIdentifier, SIGKILL); sim.waitUntilExit() }
        let venue = String(listening.dropFirst("listening on ".count))
        let (signal, _) = try Self.spawn("signal-proc", ["--venue", venue, "--runtime-dir", runtime, "--edge", "0", "--cooldown", "1"],
                                         firstLinePrefix: "ready")
        defer { if signal.isRunning { kill(signal.processIdentifier, SIGKILL) } }

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
