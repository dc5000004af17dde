import Foundation
import Testing

/// Where `polypipe up` puts the key: in exec-proc's spawn environment only (also after a
/// restart), never in another child's environment, any argv, or the launcher's own
/// `/proc/PID/environ`. The stand-ins report booleans; no test ever prints a key.
@Suite(.serialized) struct UpKeyTests {
    /// A fresh throwaway key for one test (64 lowercase hex digits, below the curve order).
    static func throwawayKey() -> String {
        var bytes = (0..<32).map { _ in UInt8.random(in: 0...255) }
        bytes[0] = UInt8.random(in: 1...0x7F)
        return bytes.map { String(format: "%02x", $0) }.joined()
    }

    /// A stand-in that appends one report line about its own spawn environment and argv to
    /// `report`, then behaves like `rest`.
    static func reportingChild(_ scratch: Scratch, report: String, rest: String) -> String {
        """
        has() { tr '\\0' '\\n' < /proc/$$/environ | grep -q "^$1="; }
        if has POLYMARKET_KEY; then present=yes; else present=no; fi
        if [ -n "$POLYMARKET_KEY" ] && [ "$POLYMARKET_KEY" = "$(cat "\(scratch.path)/expected" 2>/dev/null)" ]; then match=yes; else match=no; fi
        if has CREDENTIALS_DIRECTORY; then credentials=yes; else credentials=no; fi
        if [ -s "\(scratch.path)/expected" ] && tr '\\0' ' ' < /proc/$$/cmdline | grep -qF "$(cat "\(scratch.path)/expected")"; then argv=leaky; else argv=clean; fi
        echo "present=$present match=$match length=${#POLYMARKET_KEY} credentials=$credentials argv=$argv" >> "\(scratch.path)/\(report)"
        \(rest)
        """
    }

    @Test func keyReachesExecProcAloneAndAgainAfterARestart() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let key = Self.throwawayKey()
        try key.write(toFile: "\(scratch.path)/expected", atomically: true, encoding: .utf8)
        let credentials = "\(scratch.path)/credentials"
        try FileManager.default.createDirectory(atPath: credentials, withIntermediateDirectories: false)
        let clob = try scratch.script("clob", Self.reportingChild(scratch, report: "clob-report", rest: Scratch.waitingChild(readyLine: UpTests.venueLine)))
        // exec-proc: the first run fails (exit 1), so the restarted one must get the key again.
        let exec = try scratch.script("exec", Self.reportingChild(scratch, report: "exec-report", rest: """
        if [ "$(wc -l < "\(scratch.path)/exec-report")" -eq 1 ]; then exit 1; fi
        \(Scratch.waitingChild())
        """))
        let signal = try scratch.script("signal", Self.reportingChild(scratch, report: "signal-report", rest: Scratch.waitingChild()))
        let readers = try scratch.script("readers", Self.reportingChild(scratch, report: "readers-report", rest: Scratch.waitingChild()))
        let run = try UpHarness(UpTests.arguments(scratch, clob: clob, exec: exec, signal: signal, readers: readers),
                                environment: ["POLYMARKET_KEY": "0x" + key, "CREDENTIALS_DIRECTORY": credentials],
                                xdgRuntimeDir: scratch.path)
        #expect(run.waitFor("stack ready"))

        // The launcher's own environment block and argv, read while it runs.
        let environ = (try? Data(contentsOf: URL(fileURLWithPath: "/proc/\(run.pid)/environ"))) ?? Data()
        let cmdline = (try? Data(contentsOf: URL(fileURLWithPath: "/proc/\(run.pid)/cmdline"))) ?? Data()
        #expect(!environ.isEmpty, "the test could not read the launcher's /proc/PID/environ")
        #expect(environ.range(of: Data(key.utf8)) == nil, "the key is still in the launcher's environment block")
        #expect(cmdline.range(of: Data(key.utf8)) == nil)

        run.interrupt()
        let status = run.waitForExit()
        let err = run.stderr, out = run.stdout
        #expect(status == 0, "launcher failed (status \(status))")
        #expect(!err.contains(key) && !out.contains(key), "the key appeared in the launcher's output")

        let execRuns = scratch.read("exec-report").split(separator: "\n")
        #expect(execRuns.count == 2)
        for line in execRuns { #expect(line == "present=yes match=yes length=64 credentials=no argv=clean") }
        #expect(scratch.read("clob-report") == "present=no match=no length=0 credentials=no argv=clean\n")
        #expect(scratch.read("signal-report") == "present=no match=no length=0 credentials=no argv=clean\n")
        // fill-proc and recon-proc: no key either.
        #expect(scratch.read("readers-report") == String(repeating: "present=no match=no length=0 credentials=no argv=clean\n", count: 2))
        #expect(err.contains("key loaded"))
        #expect(err.contains("restarting (attempt 1 of 5)"))
    }

    @Test func paperModeWithoutAKeyGeneratesOneAndLogsOnlyItsAddress() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let clob = try scratch.script("clob", Scratch.waitingChild(readyLine: UpTests.venueLine))
        let exec = try scratch.script("exec", Self.reportingChild(scratch, report: "exec-report", rest: Scratch.waitingChild()))
        let signal = try scratch.script("signal", Scratch.waitingChild())
        let run = try UpHarness(UpTests.arguments(scratch, clob: clob, exec: exec, signal: signal, extra: ["--duration", "1"]),
                                xdgRuntimeDir: scratch.path)
        let status = run.waitForExit()
        let err = run.stderr
        #expect(status == 0, "stderr:\n\(err)")
        #expect(err.contains("generated a random paper key for this run"))
        #expect(err.contains("signer.address=0x"))
        #expect(scratch.read("exec-report") == "present=yes match=no length=64 credentials=no argv=clean\n")
    }

    @Test func dryRunWithoutAKeyRefusesToStart() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let clob = try scratch.script("clob", Scratch.waitingChild(readyLine: UpTests.venueLine))
        let run = try UpHarness(UpTests.arguments(scratch, clob: clob, exec: clob, signal: clob, extra: ["--mode", "dry-run"]),
                                xdgRuntimeDir: scratch.path)
        #expect(run.waitForExit() != 0)
        #expect(run.stderr.contains("dry-run needs your key"))
        #expect(!run.stdout.contains("runtime dir:"))
    }
}
