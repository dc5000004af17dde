import Foundation
import PolypipeTesting
import Testing

extension ProcessSuites {
    /// exec-proc in paper mode refuses Polymarket's production venue by name and exits non-zero
    /// with words that say why and how to go live instead (issue 13, item 1). The in-process
    /// proofs against a stand-in venue are in SharedTests' PaperVenueTests.
    @Suite struct PaperModeTests {
        @Test func paperModeRefusesTheProductionVenueAndSaysHowToGoLive() throws {
            for venue in ["https://clob.polymarket.com", "https://clob-staging.polymarket.com/"] {
                let process = Process()
                process.executableURL = try ProcessHarness.binary("exec-proc")
                process.arguments = ["--mode", "paper", "--venue", venue, "--runtime-dir", NSTemporaryDirectory()]
                process.environment = ["POLYMARKET_KEY": ExecStack.keyHex, "PATH": "/usr/bin:/bin"]
                let errors = Pipe()
                process.standardError = errors
                process.standardOutput = FileHandle.nullDevice
                try process.run()
                let text = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
                process.waitUntilExit()
                #expect(process.terminationStatus != 0)
                #expect(text.contains("paper mode trades only against a simulator"), "\(text)")
                #expect(text.contains("Polymarket's production venue"))
                #expect(text.contains("--mode live --live"))
                #expect(!text.contains(String(ExecStack.keyHex.dropFirst(2))))
            }
        }
    }
}
