import Foundation
import PolypipeTesting

/// Runs the built `polypipe` with arguments to its end, collecting stdout and stderr (read on
/// their own threads, so a large output cannot block the child). A hang guard kills it.
struct PolypipeCommand {
    let status: Int32
    let stdout: String
    let stderr: String

    /// - Parameter timeout: seconds before SIGKILL (the test then fails on the status).
    static func run(_ arguments: [String], timeout: Double = 180) throws -> PolypipeCommand {
        let scratch = NSTemporaryDirectory() + "polypipe-cmd-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: scratch, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        let process = Process()
        process.executableURL = try ProcessHarness.binary("polypipe")
        process.arguments = arguments
        var environment = ProcessInfo.processInfo.environment
        environment["POLYMARKET_KEY"] = nil
        environment["CREDENTIALS_DIRECTORY"] = nil
        environment["XDG_RUNTIME_DIR"] = scratch
        process.environment = environment
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = FileHandle.nullDevice
        try process.run()
        final class Box: @unchecked Sendable {  // each written by one reader thread, read after join
            var data = Data()
        }
        let (outBox, errBox) = (Box(), Box())
        let group = DispatchGroup()
        for (pipe, box) in [(out, outBox), (err, errBox)] {
            group.enter()
            Thread {
                box.data = pipe.fileHandleForReading.readDataToEndOfFile()
                group.leave()
            }.start()
        }
        let deadline = Date().addingTimeInterval(timeout)
        while process.isRunning, Date() < deadline { usleep(100_000) }
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
        group.wait()
        return PolypipeCommand(status: process.terminationStatus, stdout: String(decoding: outBox.data, as: UTF8.self),
                               stderr: String(decoding: errBox.data, as: UTF8.self))
    }
}
