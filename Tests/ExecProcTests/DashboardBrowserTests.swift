import Foundation
import Synchronization
import Testing
import PolypipeCore
import PolypipeTesting
import VenueClient

/// `polypipe dashboard` as an operator sees it: started by `polypipe up`, rendered by a real
/// headless Chromium (Debian's `chromium`, installed by scripts/bootstrap), its merged
/// `/metrics` parsed, and its control buttons refused without the operator token.
extension ProcessSuites {
@Suite(.serialized) struct DashboardBrowserTests {
    /// `polypipe up` in the background, its stdout collected as it comes.
    final class RunningUp: Sendable {
        let process: Process
        private let collected = Mutex("")

        init(_ arguments: [String], stderrPath: String) throws {
            process = Process()
            process.executableURL = try ProcessHarness.binary("polypipe")
            process.arguments = arguments
            var environment = ProcessHarness.keylessEnvironment
            environment["XDG_RUNTIME_DIR"] = NSTemporaryDirectory()
            process.environment = environment
            let out = Pipe()
            process.standardOutput = out
            FileManager.default.createFile(atPath: stderrPath, contents: nil)
            process.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: stderrPath))
            try process.run()
            Thread { [self] in
                while case let chunk = out.fileHandleForReading.availableData, !chunk.isEmpty {
                    collected.withLock { $0 += String(decoding: chunk, as: UTF8.self) }
                }
            }.start()
        }

        var stdout: String { collected.withLock { $0 } }

        /// The rest of the first stdout line starting with `prefix`, waiting up to `seconds`.
        func line(_ prefix: String, within seconds: Double) -> String? {
            let deadline = Date().addingTimeInterval(seconds)
            while Date() < deadline {
                if let line = stdout.split(separator: "\n").first(where: { $0.hasPrefix(prefix) }) { return String(line.dropFirst(prefix.count)) }
                usleep(100_000)
            }
            return nil
        }

        func stop() {
            if process.isRunning { process.interrupt() }
            process.waitUntilExit()
        }
    }

    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static func chromium(_ arguments: [String]) throws -> String {
        guard let path = ["/usr/bin/chromium", "/usr/bin/chromium-browser"].first(where: FileManager.default.isExecutableFile(atPath:)) else {
            throw ExecStack.StackError("no chromium: scripts/bootstrap installs Debian's chromium package")
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = ["--headless", "--no-sandbox", "--disable-gpu", "--window-size=1280,1400"] + arguments
        let out = Pipe()
        process.standardOutput = out
        process.standardError = FileHandle.nullDevice
        try process.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return String(decoding: data, as: UTF8.self)
    }

    static func get(_ base: String, _ target: String) throws -> (status: Int, text: String) {
        let answer = try CurlTransport(baseURL: base).send(HTTPRequest(method: "GET", target: target))
        return (answer.status, String(decoding: answer.body, as: UTF8.self))
    }

    @Test func theDashboardOfARunningStackRendersInChromium() throws {
        let log = NSTemporaryDirectory() + "dashboard-up-\(UUID().uuidString.prefix(8)).log"
        defer { try? FileManager.default.removeItem(atPath: log) }
        let up = try RunningUp(["up", "--duration", "60", "--dashboard-port", "0"], stderrPath: log)
        defer { up.stop() }
        let url = try #require(up.line("dashboard: ", within: 90), "no dashboard line: \(up.stdout)")
        #expect(url.hasPrefix("http://127.0.0.1:"))
        #expect(up.line("stack ready", within: 30) != nil)

        // Trade a little: wait for fills and positions on the page's data.
        var state = JSONValue.null
        let deadline = Date().addingTimeInterval(40)
        while Date() < deadline {
            state = (try? JSONParser.parse(try Self.get(url, "/api/state").text)) ?? .null
            if case .array(let fills)? = state["fills"], !fills.isEmpty, case .array(let positions)? = state["positions"], !positions.isEmpty { break }
            usleep(500_000)
        }
        guard case .array(let orders)? = state["orders"], let order = orders.first?["order_id"]?.scalarText,
              case .array(let positions)? = state["positions"], let position = positions.first,
              let token = position["token"]?.scalarText, let realized = position["realized"]?.scalarText else {
            Issue.record("no orders or positions within 40 s: \(state)"); return
        }
        #expect(state["exec"]?["state"]?.scalarText == "running" && state["exec"]?["mode"]?.scalarText == "paper")

        // The browser: the DOM holds the run's orders and P&L, as the page's script drew them.
        var dom = ""
        for _ in 0..<3 where !dom.contains(#"data-loaded="true""#) { dom = try Self.chromium(["--dump-dom", url + "/"]) }
        #expect(dom.contains(#"data-loaded="true""#), "the page's script never rendered: \(dom.prefix(500))")
        #expect(dom.contains("<td>\(order)</td>"), "order \(order) is not on the page")
        #expect(dom.contains("<td>\(token)</td>") && dom.contains("<td>\(realized)</td>"), "position \(token) realized \(realized)")
        #expect(dom.contains(#"<span id="state" class="badge running""#))
        #expect(dom.contains("<path d=\"M"), "the P&L chart has a line")
        #expect(dom.contains(#"<b id="rate-limit">standard: orders "#), "the signer's rate-limit headroom")
        let shot = Self.repository.appendingPathComponent(".build/dashboard.png").path
        try? FileManager.default.removeItem(atPath: shot)
        _ = try Self.chromium(["--screenshot=\(shot)", url + "/"])
        #expect(FileManager.default.fileExists(atPath: shot), "no screenshot at \(shot)")

        // /metrics: every process's families, each sample line well formed.
        let metrics = try Self.get(url, "/metrics")
        #expect(metrics.status == 200)
        for family in ["polypipe_orders_total", "polypipe_stage_latency_seconds_bucket", "polypipe_fills_total",
                       "polypipe_recon_cycles_total", "polypipe_strategy_commands_total"] {
            #expect(metrics.text.contains(family), "\(family) missing from the merged /metrics")
        }
        for line in metrics.text.split(separator: "\n") where !line.hasPrefix("#") {
            let parts = line.split(separator: " ")
            #expect(parts.count == 2 && Double(parts[1]) != nil, "not a sample line: \(line)")
        }
        // Read-only under `up`: the buttons' endpoints refuse.
        let halt = try CurlTransport(baseURL: url).send(HTTPRequest(method: "POST", target: "/api/halt", body: []))
        #expect(halt.status == 403)
    }

    /// With a token file, halt works only with the token, and reaches exec-proc.
    @Test func theControlButtonsNeedTheOperatorToken() throws {
        let stack = try ExecStack()
        let tokenFile = stack.runtime + "/operator-token"
        try "correct-horse-battery-staple".write(toFile: tokenFile, atomically: true, encoding: .utf8)
        let dashboard = try ProcessHarness.start("polypipe", ["dashboard", "--runtime-dir", stack.runtime, "--address", "127.0.0.1:0",
                                                              "--control-token-file", tokenFile], readyPrefix: "dashboard: ")
        defer { dashboard.terminate() }
        let http = try CurlTransport(baseURL: dashboard.readyLine)
        let none = try http.send(HTTPRequest(method: "POST", target: "/api/halt", body: []))
        let wrong = try http.send(HTTPRequest(method: "POST", target: "/api/halt", headers: [("Authorization", "Bearer not-the-token-at-all")], body: []))
        #expect(none.status == 401 && wrong.status == 401)
        #expect(try stack.control(.status).status.state == .running, "a refused request changes nothing")
        let right = try http.send(HTTPRequest(method: "POST", target: "/api/halt", headers: [("Authorization", "Bearer correct-horse-battery-staple")], body: []))
        #expect(right.status == 200 && String(decoding: right.body, as: UTF8.self).contains(#""ok":true"#), "\(String(decoding: right.body, as: UTF8.self))")
        #expect(try stack.control(.status).status.state == .halted)
        let page = try JSONParser.parse(try Self.get(dashboard.readyLine, "/api/state").text)
        #expect(page["control"] == .bool(true))
    }
}
}
