import Foundation
import Synchronization
import Testing

/// Runs `polypipe up` (or any `polypipe` subcommand) as a child of the test, collecting its
/// stdout and stderr as they arrive, so a test can wait for a log line instead of sleeping.
///
/// The only timing here is a hang guard (``waitFor(_:within:)`` gives up after a generous
/// limit and the test fails); no assertion depends on how fast anything runs.
final class UpHarness: @unchecked Sendable {
    // @unchecked: `process` is set once in init and Process is thread-safe for the calls made
    // here (isRunning, processIdentifier, terminationStatus after exit); the output is behind
    // a Mutex.
    private let process: Process
    private let output = CollectedOutput()

    /// What the launcher printed so far (appended from Pipe handler threads).
    final class CollectedOutput: Sendable {
        let text = Mutex<(stdout: String, stderr: String)>(("", ""))
    }

    /// Starts `polypipe arguments` with `environment` added to (and `removing` removed from)
    /// the test's environment. POLYMARKET_KEY and XDG_RUNTIME_DIR are always replaced.
    init(_ arguments: [String], environment: [String: String] = [:], xdgRuntimeDir: String) throws {
        let process = Process()
        process.executableURL = SigningToolTests.binary
        process.arguments = arguments
        var env = ProcessInfo.processInfo.environment
        env["POLYMARKET_KEY"] = nil
        env["CREDENTIALS_DIRECTORY"] = nil
        env["XDG_RUNTIME_DIR"] = xdgRuntimeDir
        for (name, value) in environment { env[name] = value }
        process.environment = env
        let stdout = Pipe(), stderr = Pipe()
        process.standardOutput = stdout
        process.standardError = stderr
        process.standardInput = FileHandle.nullDevice
        self.process = process
        stdout.fileHandleForReading.readabilityHandler = { [output] handle in
            let text = String(decoding: handle.availableData, as: UTF8.self)
            output.text.withLock { $0.stdout += text }
        }
        stderr.fileHandleForReading.readabilityHandler = { [output] handle in
            let text = String(decoding: handle.availableData, as: UTF8.self)
            output.text.withLock { $0.stderr += text }
        }
        try process.run()
    }

    var pid: Int32 { process.processIdentifier }
    var stdout: String { output.text.withLock { $0.stdout } }
    var stderr: String { output.text.withLock { $0.stderr } }

    /// Waits until stderr or stdout satisfies `condition` (hang guard: `within` seconds).
    /// - Returns: whether it did.
    @discardableResult
    func waitFor(within seconds: Double = 90, _ condition: (String) -> Bool) -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if condition(stdout + stderr) { return true }
            if !process.isRunning { return condition(stdout + stderr) }
            Thread.sleep(forTimeInterval: 0.05)
        }
        return false
    }

    /// Waits until `text` has appeared `count` times in the output.
    @discardableResult
    func waitFor(_ text: String, count: Int = 1, within seconds: Double = 90) -> Bool {
        waitFor(within: seconds) { $0.components(separatedBy: text).count - 1 >= count }
    }

    /// Sends SIGINT (as Ctrl-C would).
    func interrupt() { kill(process.processIdentifier, SIGINT) }

    /// Waits for the launcher to exit (hang guard: SIGKILL after `seconds`) and returns its status.
    func waitForExit(within seconds: Double = 90) -> Int32 {
        let deadline = Date().addingTimeInterval(seconds)
        while process.isRunning && Date() < deadline { Thread.sleep(forTimeInterval: 0.05) }
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            Issue.record("polypipe did not exit within \(seconds) s; killed")
        }
        process.waitUntilExit()
        Thread.sleep(forTimeInterval: 0.1)  // let the readability handlers take the last bytes
        return process.terminationStatus
    }
}

/// A scratch directory for one test, with helpers to write stand-in children.
struct Scratch {
    let path: String

    init() throws {
        var template = Array((NSTemporaryDirectory() + "polypipe-uptest.XXXXXX").utf8CString)
        guard let made = mkdtemp(&template) else {
            throw CocoaError(.fileWriteUnknown)
        }
        path = String(cString: made)
    }

    /// Writes an executable `/bin/sh` script named `name` and returns its path.
    @discardableResult
    func script(_ name: String, _ body: String) throws -> String {
        let file = "\(path)/\(name)"
        try ("#!/bin/sh\n" + body).write(toFile: file, atomically: true, encoding: .utf8)
        chmod(file, 0o755)
        return file
    }

    func read(_ name: String) -> String {
        (try? String(contentsOfFile: "\(path)/\(name)", encoding: .utf8)) ?? ""
    }

    func remove() { try? FileManager.default.removeItem(atPath: path) }

    /// A stand-in that prints `ready` (or `line`) and then waits until SIGTERM, which it answers
    /// with exit 0. `before` runs first (e.g. to record its start).
    static func waitingChild(readyLine: String = "ready", before: String = "") -> String {
        """
        trap 'echo "got SIGTERM"; exit 0' TERM
        \(before)
        echo "\(readyLine)"
        while :; do sleep 1 & wait $!; done
        """
    }
}
