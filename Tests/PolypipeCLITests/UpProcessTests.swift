import Foundation
import Testing
import PolypipeRuntime

/// The process utilities under `polypipe up` (PolypipeRuntime): line splitting, wait-status
/// decoding, and the explicit child environment.
@Suite struct UpProcessTests {
    @Test func linesAreSplitAcrossChunksWithoutTheirLineEnds() {
        var buffer = LineBuffer()
        #expect(buffer.append(Array("rea".utf8)) == [])
        #expect(buffer.append(Array("dy\r\nlisten".utf8)) == ["ready"])
        #expect(buffer.append(Array("ing\n\n".utf8)) == ["listening", ""])
        #expect(buffer.append(Array("tail".utf8)) == [])
        #expect(buffer.finish() == "tail")
        #expect(buffer.finish() == nil)
    }

    @Test func aLineWithoutNewlineIsCutAtTheLimit() {
        var buffer = LineBuffer()
        let lines = buffer.append([UInt8](repeating: 0x61, count: LineBuffer.maximumLineLength + 5))
        #expect(lines.count == 1)
        #expect(lines.first?.utf8.count == LineBuffer.maximumLineLength)
        #expect(buffer.finish() == "aaaaa")
    }

    @Test func waitStatusesDecodeAsExitCodesAndSignals() {
        #expect(ExitStatus(waitStatus: 0) == .exited(0))
        #expect(ExitStatus(waitStatus: 3 << 8) == .exited(3))
        #expect(ExitStatus(waitStatus: 9) == .signaled(9))
        #expect(ExitStatus(waitStatus: 15 | 0x80) == .signaled(15))  // with the core-dump bit
        #expect(ExitStatus.signaled(15).phrase == "was killed by signal 15 (SIGTERM)")
        #expect(ExitStatus.exited(1).phrase == "exited with status 1")
    }

    /// (No setenv here: tests run in parallel and setenv races getenv in other threads; the
    /// end-to-end check with a real CREDENTIALS_DIRECTORY is in UpKeyTests.)
    @Test func childEnvironmentCopiesThisProcessButWithholdsSecretsAndRemovedNames() {
        #expect(ChildEnvironment.withheld == ["POLYMARKET_KEY", "CREDENTIALS_DIRECTORY"])
        let full = ChildEnvironment.current()
        #expect(full.value("PATH") != nil)
        let trimmed = ChildEnvironment.current(removing: ["PATH"])
        #expect(trimmed.value("PATH") == nil)
        #expect(trimmed.entries.count == full.entries.count - 1)
        var edited = trimmed
        edited.set("POLYPIPE_TEST", "1")
        edited.set("POLYPIPE_TEST", "2")
        #expect(edited.entries.filter { $0.hasPrefix("POLYPIPE_TEST=") } == ["POLYPIPE_TEST=2"])
    }
}
