import Foundation
import PolypipeTesting
import Testing
import Bus
import PolypipeCore

/// The Python external-strategy example (`examples/external-strategy/publish_actions.py`, run
/// with the interpreter scripts/test prepares in `.build/example-venv`) against the stack:
/// signal-proc `--strategy external` forwards its action, its replace and its cancel; exec-proc
/// places a resting order, replaces it (the new order names the old one) and cancels the new
/// one; the venue ends with none of our orders.
extension ProcessSuites {
@Suite(.serialized) struct ExternalExampleStackTests {
    @Test func thePythonExamplePlacesReplacesAndCancels() throws {
        // The package root: the first directory above the built binaries holding Package.swift.
        var root = try ProcessHarness.binary("clob-sim").deletingLastPathComponent()
        while root.path != "/" && !FileManager.default.fileExists(atPath: root.appendingPathComponent("Package.swift").path) {
            root = root.deletingLastPathComponent()
        }
        let python = root.appendingPathComponent(".build/example-venv/bin/python").path
        try #require(FileManager.default.isExecutableFile(atPath: python),
                     "\(python) is missing: scripts/test creates it (python3 -m venv, pip install pyzmq protobuf==4.21.12)")
        let stack = try ExecStack()
        let window = try stack.currentWindow()
        let signal = try ProcessHarness.start("signal-proc", ["--venue", stack.simURL, "--runtime-dir", stack.runtime, "--strategy", "external"],
                                              stderrPath: stack.runtime + "/signal-stderr.log")
        defer { signal.kill() }

        let script = Process()
        script.executableURL = URL(fileURLWithPath: python)
        script.arguments = [root.appendingPathComponent("examples/external-strategy/publish_actions.py").path, "--runtime-dir", stack.runtime,
                            "--market", window.market, "--token", window.token, "--price", "0.30", "--size", "5", "--ttl-ms", "10000",
                            "--replace-price", "0.31", "--cancel", "--interval", "1.5", "--strategy", "pyex"]
        let output = Pipe()
        script.standardError = output
        try script.run()
        script.waitUntilExit()
        let said = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        try #require(script.terminationStatus == 0, "the example failed: \(said)")
        let ids = said.split(separator: "\n").compactMap { line -> String? in
            guard line.hasPrefix("sent pyex-") else { return nil }
            return line.split(separator: " ").dropFirst().first.map(String.init)
        }
        try #require(ids.count == 1, "expected one placed action in: \(said)")
        let first = ids[0], second = String(first.dropLast()) + "2"

        let placed = try stack.event(for: first, timeoutSeconds: 15)
        #expect(placed.outcome == .accepted && placed.venueStatus == "live", "\(placed.outcome) \(placed.reason)")
        let replacement = try stack.event(for: second, timeoutSeconds: 15)
        #expect(replacement.outcome == .accepted && replacement.replacesOrderID == placed.orderID,
                "\(replacement.outcome) \(replacement.reason), replaces \(replacement.replacesOrderID)")
        #expect(replacement.limitPriceMicros == 310_000)
        let canceled = try stack.event(for: second, after: 1, timeoutSeconds: 15)
        #expect(canceled.outcome == .canceled, "\(canceled.outcome) \(canceled.reason)")
        #expect(try stack.client().openOrders().isEmpty, "the venue still holds an order of ours")
    }
}
}
