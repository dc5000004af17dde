import Foundation

/// One of polypipe's executables as a real child process: found next to the test bundle,
/// started with an explicit environment, and considered started once it prints its first
/// stdout line (`ready`, or clob-sim's `listening on URL`).
///
/// Every process test used to carry its own copy of "find the binary, spawn it, read its first
/// line"; this is the one copy.
///
/// ```swift
/// let sim = try ProcessHarness.start("clob-sim", ["--port", "0"], readyPrefix: "listening on ")
/// let url = sim.readyLine                         // what followed the prefix
/// defer { sim.kill() }
/// ```
public final class ProcessHarness {
    /// Why a process could not be found or did not start.
    public struct Failure: Error, CustomStringConvertible {
        public let description: String
        public init(_ description: String) { self.description = description }
    }

    /// Where `name` was built: next to the test bundle (SwiftPM puts every product of one
    /// build in one folder).
    public static func binary(_ name: String) throws(Failure) -> URL {
        let candidates = [Bundle.main.bundleURL.deletingLastPathComponent(), Bundle.main.bundleURL,
                          URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()]
        guard let url = candidates.map({ $0.appendingPathComponent(name) })
            .first(where: { FileManager.default.isExecutableFile(atPath: $0.path) }) else {
            throw Failure("\(name) is not built next to the tests; run `swift build --build-tests` first")
        }
        return url
    }

    /// Reads `pipe` up to the end of its first line and returns the line without the newline
    /// (empty when the writer closed first).
    public static func firstLine(_ pipe: Pipe) -> String {
        var line = Data()
        while !line.contains(0x0A) {
            let chunk = pipe.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            line.append(chunk)
        }
        return String(decoding: line, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// The first line of `pipe` after `prefix`; throws naming what came instead.
    public static func readLine(_ pipe: Pipe, prefix: String) throws(Failure) -> String {
        let text = firstLine(pipe)
        guard text.hasPrefix(prefix) else { throw Failure("expected a line starting '\(prefix)', got '\(text.prefix(200))'") }
        return String(text.dropFirst(prefix.count))
    }

    /// The environment a child gets by default: the test's own, never with a key in it.
    public static var keylessEnvironment: [String: String] {
        ProcessInfo.processInfo.environment.filter { $0.key != "POLYMARKET_KEY" }
    }

    public let process: Process
    /// The rest of the first stdout line after the ready prefix.
    public let readyLine: String
    /// The child's stdout after its first line (the pipe stays open; read it or ignore it).
    public let output: Pipe

    /// Starts `name` and waits for its first stdout line to start with `readyPrefix`.
    ///
    /// - Parameters:
    ///   - environment: the child's whole environment (``keylessEnvironment`` by default).
    ///   - stderrPath: a file the child's stderr is appended to; nil discards it.
    public static func start(_ name: String, _ arguments: [String], readyPrefix: String = "ready",
                             environment: [String: String] = keylessEnvironment,
                             stderrPath: String? = nil) throws -> ProcessHarness {
        let process = Process()
        process.executableURL = try binary(name)
        process.arguments = arguments
        process.environment = environment
        let output = Pipe()
        process.standardOutput = output
        if let stderrPath {
            if !FileManager.default.fileExists(atPath: stderrPath) { FileManager.default.createFile(atPath: stderrPath, contents: nil) }
            let log = try FileHandle(forWritingTo: URL(fileURLWithPath: stderrPath))
            log.seekToEndOfFile()
            process.standardError = log
        } else {
            process.standardError = FileHandle.nullDevice
        }
        try process.run()
        do {
            let line = try readLine(output, prefix: readyPrefix)
            return ProcessHarness(process: process, readyLine: line, output: output)
        } catch {
            Foundation.kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            throw Failure("\(name): \(error)")
        }
    }

    init(process: Process, readyLine: String, output: Pipe) {
        self.process = process
        self.readyLine = readyLine
        self.output = output
    }

    /// SIGKILL and wait: the crash a process must survive.
    public func kill() {
        guard process.isRunning else { return }
        Foundation.kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }

    /// SIGTERM, then wait up to `seconds` for a graceful exit; SIGKILL after that. Returns the
    /// exit status, or nil if it had to be killed.
    @discardableResult
    public func terminate(within seconds: Double = 10) -> Int32? {
        guard process.isRunning else { return process.terminationStatus }
        process.terminate()
        let deadline = Date().addingTimeInterval(seconds)
        while process.isRunning && Date() < deadline { usleep(20_000) }
        if process.isRunning { kill(); return nil }
        return process.terminationStatus
    }
}
