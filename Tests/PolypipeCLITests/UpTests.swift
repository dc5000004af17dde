import Foundation
import PolypipeCore
import PolypipeTesting
import Testing

/// `polypipe up` with stand-in children (small shell scripts given through `--child-command`):
/// start order and readiness, restarts, the restart limit, the readiness timeout, clean stops,
/// and where the key goes.
@Suite(.serialized) struct UpTests {
    static let venueLine = "listening on http://127.0.0.1:45678"

    /// `up` arguments running the three given scripts, with short restart delays; fill-proc and
    /// recon-proc are plain waiting children (`readers`, unless given).
    static func arguments(_ scratch: Scratch, clob: String, exec: String, signal: String, readers: String? = nil,
                          extra: [String] = []) throws -> [String] {
        let reader = try readers ?? scratch.script("reader", Scratch.waitingChild(before: #"echo "args: $*""#))
        return ["up", "--child-command", "clob-sim=\(clob)", "--child-command", "exec-proc=\(exec)",
                "--child-command", "fill-proc=\(reader)", "--child-command", "recon-proc=\(reader)",
                "--child-command", "signal-proc=\(signal)", "--restart-delay", "0.2", "--stop-timeout", "20", "--no-dashboard"] + extra
    }

    static let stack = ["clob-sim", "exec-proc", "fill-proc", "recon-proc", "signal-proc"]

    /// The launcher's log lines (not the children's `[name]` lines) that end with `event`.
    static func logLines(_ stderr: String, event: String) -> [String] {
        stderr.split(separator: "\n").map(String.init).filter { !$0.hasPrefix("[") && $0.hasSuffix(event) }
    }

    /// The `child=` metadata of the launcher's `event` lines, in order.
    static func children(in stderr: String, event: String) -> [String] {
        logLines(stderr, event: event).compactMap { line in
            line.split(separator: " ").first { $0.hasPrefix("child=") }.map { String($0.dropFirst("child=".count)) }
        }
    }

    /// "child started NAME" / "child ready NAME" in the order they were logged.
    static func events(in stderr: String) -> [String] {
        stderr.split(separator: "\n").map(String.init).filter { !$0.hasPrefix("[") }.compactMap { line in
            guard let event = ["child started", "child ready"].first(where: { line.hasSuffix($0) }),
                  let child = line.split(separator: " ").first(where: { $0.hasPrefix("child=") }) else { return nil }
            return "\(event) \(child.dropFirst("child=".count))"
        }
    }

    @Test func startsInOrderPassesTheVenueAndStopsCleanlyAfterDuration() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let clob = try scratch.script("clob", Scratch.waitingChild(readyLine: Self.venueLine))
        let exec = try scratch.script("exec", Scratch.waitingChild(before: #"echo "args: $*""#))
        let signal = try scratch.script("signal", Scratch.waitingChild(before: #"echo "args: $*""#))
        let run = try UpHarness(Self.arguments(scratch, clob: clob, exec: exec, signal: signal, extra: ["--duration", "3", "--seed", "7", "--size", "2.5"]),
                                xdgRuntimeDir: scratch.path)
        let status = run.waitForExit()
        let err = run.stderr, out = run.stdout
        #expect(status == 0, "stderr:\n\(err)")
        #expect(out.contains("runtime dir: "))
        #expect(out.contains("stack ready"))
        #expect(err.contains("[clob-sim] \(Self.venueLine)"))
        #expect(err.contains("duration reached"))
        // exec-proc and signal-proc got the venue clob-sim announced, and the runtime dir.
        let runtime = out.components(separatedBy: "runtime dir: ").last?.components(separatedBy: "\n").first ?? "?"
        #expect(err.contains("[exec-proc] args: --mode paper --venue http://127.0.0.1:45678 --runtime-dir \(runtime) --readonly-credentials-out \(runtime)/readonly-credentials.json"))
        #expect(err.contains("[signal-proc] args: --venue http://127.0.0.1:45678 --runtime-dir \(runtime) --size 2.5"))
        // Start order, then the reverse stop order (each child answered SIGTERM).
        #expect(Self.children(in: err, event: "child started") == Self.stack)
        #expect(Self.children(in: err, event: "child ready") == Self.stack)
        #expect(Self.events(in: err) == Self.stack.flatMap { ["child started \($0)", "child ready \($0)"] })
        #expect(Self.children(in: err, event: "stopping child") == Self.stack.reversed())
        // fill-proc and recon-proc read the venue with the credential exec-proc writes.
        #expect(err.contains("[fill-proc] args: --venue http://127.0.0.1:45678 --runtime-dir \(runtime) --credentials \(runtime)/readonly-credentials.json"))
        #expect(err.contains("[recon-proc] args: --venue http://127.0.0.1:45678 --runtime-dir \(runtime) --credentials \(runtime)/readonly-credentials.json"))
        // No fill-proc or recon-proc answers here: the end-of-run report says so, the run still succeeds.
        #expect(out.contains("Reconciliation") && out.contains("not available"))
        let stops = Self.stack.reversed().compactMap { err.range(of: "[\($0)] got SIGTERM")?.lowerBound }
        #expect(stops.count == 5)
        #expect(stops == stops.sorted())
        // The temporary runtime directory and the current-stack record are gone.
        #expect(!FileManager.default.fileExists(atPath: runtime))
        #expect(!FileManager.default.fileExists(atPath: "\(scratch.path)/polypipe-\(getuid())/current"))
    }

    @Test func recordsTheRuntimeDirectoryForControlCommands() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let clob = try scratch.script("clob", Scratch.waitingChild(readyLine: Self.venueLine))
        let exec = try scratch.script("exec", Scratch.waitingChild())
        let run = try UpHarness(Self.arguments(scratch, clob: clob, exec: exec, signal: exec), xdgRuntimeDir: scratch.path)
        #expect(run.waitFor("stack ready"))
        let runtime = run.stdout.components(separatedBy: "runtime dir: ").last?.components(separatedBy: "\n").first ?? "?"
        let recordFile = "\(scratch.path)/polypipe-\(getuid())/current"
        let recorded = (try? String(contentsOfFile: recordFile, encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(recorded == runtime)
        let attributes = try FileManager.default.attributesOfItem(atPath: recordFile)
        #expect((attributes[.posixPermissions] as? Int) == 0o600)
        let runtimeAttributes = try FileManager.default.attributesOfItem(atPath: runtime)
        #expect(((runtimeAttributes[.posixPermissions] as? Int) ?? 0o777) & 0o077 == 0)
        run.interrupt()
        #expect(run.waitForExit() == 0, "stderr:\n\(run.stderr)")
        #expect(run.stderr.contains("stop requested"))
        #expect(!FileManager.default.fileExists(atPath: recordFile))
    }

    @Test func childExitingNonZeroIsRestartedAndTheRestartIsLogged() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let clob = try scratch.script("clob", Scratch.waitingChild(readyLine: Self.venueLine))
        let exec = try scratch.script("exec", Scratch.waitingChild())
        // signal-proc: the first run says ready, then fails; later runs stay up.
        let signal = try scratch.script("signal", """
        echo start >> "\(scratch.path)/signal-starts"
        if [ "$(wc -l < "\(scratch.path)/signal-starts")" -eq 1 ]; then echo ready; echo "failing now" >&2; exit 1; fi
        \(Scratch.waitingChild())
        """)
        let run = try UpHarness(Self.arguments(scratch, clob: clob, exec: exec, signal: signal), xdgRuntimeDir: scratch.path)
        #expect(run.waitFor("child ready", count: 6))  // clob-sim, exec-proc, fill-proc, recon-proc, signal-proc twice
        run.interrupt()
        let status = run.waitForExit()
        let err = run.stderr
        #expect(status == 0, "stderr:\n\(err)")
        #expect(err.contains("child exited with status 1; restarting (attempt 1 of 5)"))
        #expect(err.contains("[signal-proc] failing now"))
        #expect(scratch.read("signal-starts").split(separator: "\n").count == 2)
    }

    @Test func childExitingZeroIsNotRestarted() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let clob = try scratch.script("clob", Scratch.waitingChild(readyLine: Self.venueLine))
        let exec = try scratch.script("exec", Scratch.waitingChild())
        let signal = try scratch.script("signal", """
        echo start >> "\(scratch.path)/signal-starts"
        echo ready
        exit 0
        """)
        let run = try UpHarness(Self.arguments(scratch, clob: clob, exec: exec, signal: signal), xdgRuntimeDir: scratch.path)
        #expect(run.waitFor("not restarted"))
        // exec-proc keeps running; a restart would have been logged before any later line.
        #expect(!run.stderr.contains("restarting"))
        run.interrupt()
        #expect(run.waitForExit() == 0, "stderr:\n\(run.stderr)")
        #expect(!run.stderr.contains("restarting"))
        #expect(scratch.read("signal-starts").split(separator: "\n").count == 1)
    }

    @Test func restartLimitStopsTheStack() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let clob = try scratch.script("clob", Scratch.waitingChild(readyLine: Self.venueLine))
        let exec = try scratch.script("exec", """
        echo start >> "\(scratch.path)/exec-starts"
        echo "cannot bind" >&2
        exit 3
        """)
        let run = try UpHarness(Self.arguments(scratch, clob: clob, exec: exec, signal: exec, extra: ["--restart-limit", "2"]),
                                xdgRuntimeDir: scratch.path)
        let status = run.waitForExit()
        let err = run.stderr
        #expect(status != 0)
        #expect(err.contains("child exited with status 3; restarting (attempt 1 of 2)"))
        #expect(err.contains("child exited with status 3; restarting (attempt 2 of 2)"))
        #expect(err.contains("restart limit reached"))
        #expect(err.contains("exec-proc kept failing"))
        #expect(err.contains("[clob-sim] got SIGTERM"))
        #expect(!run.stdout.contains("stack ready"))
        #expect(scratch.read("exec-starts").split(separator: "\n").count == 3)
    }

    @Test func childNotReadyInTimeFailsTheStartNamingItAndItsLastLines() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let clob = try scratch.script("clob", Scratch.waitingChild(readyLine: Self.venueLine))
        let exec = try scratch.script("exec", Scratch.waitingChild(readyLine: "still loading the journal", before: "echo warming up >&2"))
        let run = try UpHarness(Self.arguments(scratch, clob: clob, exec: exec, signal: exec, extra: ["--ready-timeout", "1"]),
                                xdgRuntimeDir: scratch.path)
        let status = run.waitForExit()
        let err = run.stderr
        #expect(status != 0)
        #expect(err.contains("exec-proc was not ready within 1 s; its last lines:"))
        #expect(err.contains("  [exec-proc] still loading the journal"))
        #expect(err.contains("[exec-proc] got SIGTERM"))
        #expect(Self.children(in: err, event: "child started") == ["clob-sim", "exec-proc"])  // signal-proc never started
    }

    @Test func missingExecutableIsReportedBeforeAnythingStarts() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let run = try UpHarness(["up", "--bin-dir", scratch.path], xdgRuntimeDir: scratch.path)
        #expect(run.waitForExit() != 0)
        #expect(run.stderr.contains("no clob-sim executable at \(scratch.path)/clob-sim"))
        #expect(!run.stdout.contains("runtime dir:"))
    }
}

/// Restarts after a signal, and a child that ignores SIGTERM.
@Suite(.serialized) struct UpSignalTests {
    @Test func childKilledBySignalIsRestartedAndTheSignalIsLogged() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let clob = try scratch.script("clob", Scratch.waitingChild(readyLine: UpTests.venueLine))
        let exec = try scratch.script("exec", Scratch.waitingChild())
        let signal = try scratch.script("signal", """
        echo start >> "\(scratch.path)/signal-starts"
        if [ "$(wc -l < "\(scratch.path)/signal-starts")" -eq 1 ]; then echo ready; kill -9 $$; fi
        \(Scratch.waitingChild())
        """)
        let run = try UpHarness(UpTests.arguments(scratch, clob: clob, exec: exec, signal: signal), xdgRuntimeDir: scratch.path)
        #expect(run.waitFor("child ready", count: 6))  // five children, signal-proc twice
        run.interrupt()
        #expect(run.waitForExit() == 0, "stderr:\n\(run.stderr)")
        #expect(run.stderr.contains("child was killed by signal 9 (SIGKILL); restarting (attempt 1 of 5)"))
        #expect(scratch.read("signal-starts").split(separator: "\n").count == 2)
    }

    /// Each process's metrics address is printed on stdout, and a restarted child is given the
    /// port it had (a stand-in exec-proc logs the URL its `--metrics-address` implies, 40001
    /// for port 0, and is killed once).
    @Test func metricsAddressesArePrintedAndKeptAcrossARestart() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let clob = try scratch.script("clob", Scratch.waitingChild(readyLine: UpTests.venueLine))
        let exec = try scratch.script("exec", """
        echo "args: $*"
        port=$(echo "$*" | sed -n 's/.*--metrics-address 127.0.0.1:\\([0-9]*\\).*/\\1/p')
        [ "$port" = "0" ] && port=40001
        echo "notice polypipe.exec-proc: metrics.url=http://127.0.0.1:$port/metrics [PolypipeMetrics] metrics served" >&2
        echo start >> "\(scratch.path)/exec-starts"
        if [ "$(wc -l < "\(scratch.path)/exec-starts")" -eq 1 ]; then echo ready; sleep 0.3; kill -9 $$; fi
        \(Scratch.waitingChild())
        """)
        let signal = try scratch.script("signal", Scratch.waitingChild())
        let run = try UpHarness(UpTests.arguments(scratch, clob: clob, exec: exec, signal: signal), xdgRuntimeDir: scratch.path)
        #expect(run.waitFor("child ready", count: 6))  // five children, exec-proc twice
        run.interrupt()
        #expect(run.waitForExit() == 0, "stderr:\n\(run.stderr)")
        let printed = run.stdout.split(separator: "\n").filter { $0.hasPrefix("metrics ") }
        #expect(printed == ["metrics exec-proc: http://127.0.0.1:40001/metrics"], "\(run.stdout)")
        let execArgs = run.stderr.split(separator: "\n").filter { $0.hasPrefix("[exec-proc] args: ") }
        #expect(execArgs.count == 2 && execArgs[0].hasSuffix("--metrics-address 127.0.0.1:0"), "\(execArgs)")
        #expect(execArgs.last?.hasSuffix("--metrics-address 127.0.0.1:40001") == true, "the restart keeps the port: \(execArgs)")
    }

    /// `--webhook`: a child that crashed and was restarted is one operator alert, and recon-proc
    /// is given the same URL.
    @Test func aRestartedChildIsOneAlertOnTheWebhook() throws {
        let server = try ScriptedHTTPServer { _ in .respond(status: 200, body: "ok") }
        defer { server.stop() }
        let scratch = try Scratch()
        defer { scratch.remove() }
        let clob = try scratch.script("clob", Scratch.waitingChild(readyLine: UpTests.venueLine))
        let exec = try scratch.script("exec", Scratch.waitingChild())
        let reader = try scratch.script("reader", Scratch.waitingChild(before: #"echo "args: $*""#))
        let signal = try scratch.script("signal", """
        echo start >> "\(scratch.path)/signal-starts"
        if [ "$(wc -l < "\(scratch.path)/signal-starts")" -eq 1 ]; then echo ready; exit 3; fi
        \(Scratch.waitingChild())
        """)
        let run = try UpHarness(UpTests.arguments(scratch, clob: clob, exec: exec, signal: signal, readers: reader,
                                                  extra: ["--webhook", server.baseURL + "/hooks/up"]), xdgRuntimeDir: scratch.path)
        #expect(run.waitFor("child ready", count: 6))
        let deadline = Date().addingTimeInterval(5)
        while server.requests.isEmpty && Date() < deadline { usleep(50_000) }
        run.interrupt()
        #expect(run.waitForExit() == 0, "stderr:\n\(run.stderr)")
        #expect(server.requests.count == 1, "\(server.requests.map(\.bodyText))")
        let body = try JSONParser.parse(try #require(server.requests.first).body)
        #expect(body["alert"]?["kind"]?.scalarText == "process_restarted" && body["alert"]?["subject"]?.scalarText == "signal-proc")
        #expect(body["text"]?.scalarText == "[WARNING] signal-proc exited with status 3; restarted (attempt 1)", "\(body)")
        #expect(run.stderr.contains("[recon-proc] args: ") && run.stderr.contains("--webhook \(server.baseURL)/hooks/up"))
    }

    /// A stack of waiting stand-in children that each write their pid, once ready: the launcher
    /// and the children's pids.
    static func stackRecordingPids(_ scratch: Scratch) throws -> (UpHarness, [Int32]) {
        let record = #"echo $$ >> "\#(scratch.path)/pids""#
        let clob = try scratch.script("clob", Scratch.waitingChild(readyLine: UpTests.venueLine, before: record))
        let exec = try scratch.script("exec", Scratch.waitingChild(before: record))
        let signal = try scratch.script("signal", Scratch.waitingChild(before: record))
        let reader = try scratch.script("reader", Scratch.waitingChild(before: record))
        let run = try UpHarness(UpTests.arguments(scratch, clob: clob, exec: exec, signal: signal, readers: reader), xdgRuntimeDir: scratch.path)
        #expect(run.waitFor("stack ready"))
        return (run, scratch.read("pids").split(separator: "\n").compactMap { Int32($0) })
    }

    /// A launcher killed with SIGKILL cannot stop its children; the kernel does (PR_SET_PDEATHSIG):
    /// each gets SIGTERM and stops as on any stop — no exec-proc left trading with nobody to
    /// stop it, no second stack beside a new `polypipe up`.
    @Test func childrenStopWhenTheLauncherIsKilled() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let (run, children) = try Self.stackRecordingPids(scratch)
        func running(_ pid: Int32) -> Bool {
            guard kill(pid, 0) == 0 else { return false }
            // A zombie waiting for its new parent to reap it has stopped.
            let stat = (try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8)) ?? ""
            return !(stat.split(separator: ")").last?.trimmingCharacters(in: .whitespaces).hasPrefix("Z") ?? true)
        }
        #expect(children.count == 5 && children.allSatisfy(running), "\(children)")
        kill(run.pid, SIGKILL)
        let deadline = Date().addingTimeInterval(10)
        while Date() < deadline && children.contains(where: running) { Thread.sleep(forTimeInterval: 0.05) }
        let survivors = children.filter(running)
        #expect(survivors.isEmpty, "children still running after the launcher died: \(survivors)")
        for pid in survivors { kill(pid, SIGKILL) }  // (only when the test fails: the launcher's exit is seen once they are gone)
        _ = run.waitForExit()
    }

    /// A child starts with stdin, stdout and stderr only: nothing the launcher had open (its
    /// own pipes to whoever started it, sockets, files) leaks into a child that did not ask.
    @Test func childrenInheritNoDescriptorBeyondTheStandardThree() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let (run, children) = try Self.stackRecordingPids(scratch)
        #expect(children.count == 5)
        for pid in children {
            let descriptors = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/fd")) ?? []
            // The shell keeps its own script open (it reads it as it runs); anything else is a leak.
            let leaked = descriptors.compactMap { Int($0) }.filter { $0 > 2 }.compactMap { fd -> String? in
                let target = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/\(pid)/fd/\(fd)")) ?? "?"
                return target.hasPrefix(scratch.path) ? nil : "\(fd) -> \(target)"
            }
            #expect(leaked.isEmpty, "child \(pid) inherited \(leaked)")
        }
        run.interrupt()
        #expect(run.waitForExit() == 0, "stderr:\n\(run.stderr)")
    }

    @Test func childIgnoringSigtermIsKilledAfterTheStopTimeoutAndTheStopIsUnclean() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let clob = try scratch.script("clob", Scratch.waitingChild(readyLine: UpTests.venueLine))
        let exec = try scratch.script("exec", Scratch.waitingChild())
        let stubborn = try scratch.script("signal", """
        trap 'echo "ignoring SIGTERM"' TERM
        echo ready
        while :; do sleep 1 & wait $!; done
        """)
        var arguments = try UpTests.arguments(scratch, clob: clob, exec: exec, signal: stubborn)
        arguments += ["--stop-timeout", "1"]  // the later value wins over the harness's 20
        let run = try UpHarness(arguments, xdgRuntimeDir: scratch.path)
        #expect(run.waitFor("stack ready"))
        run.interrupt()
        let status = run.waitForExit()
        let err = run.stderr
        #expect(status != 0)
        #expect(err.contains("[signal-proc] ignoring SIGTERM"))
        #expect(err.contains("child did not stop in time; killing it"))
        #expect(err.contains("not every child stopped cleanly"))
        // The others were still stopped, in order, after the stubborn one was killed.
        #expect(UpTests.children(in: err, event: "stopping child") == UpTests.stack.reversed())
    }
}
