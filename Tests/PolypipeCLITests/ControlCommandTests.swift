import Foundation
import Testing
import Bus
import PolypipeCore

/// `polypipe status | halt | resume | reduce-only | cancel-all` against ``ControlServerDouble``.
@Suite(.serialized) struct ControlCommandTests {
    static func run(_ arguments: [String], xdgRuntimeDir: String) throws -> SigningToolTests.Run {
        try SigningToolTests.run(arguments, input: "", environment: ["XDG_RUNTIME_DIR": xdgRuntimeDir])
    }

    static func okReply(_ request: Polypipe_Bus_V1_ControlRequest) -> Polypipe_Bus_V1_ControlReply {
        var reply = Polypipe_Bus_V1_ControlReply()
        reply.ok = true
        reply.status = ControlServerDouble.sampleStatus()
        if request.command == .cancelAll {
            reply.canceled = ["0xaa", "0xbb"]
            reply.notCanceled = ["0xcc"]
        }
        return reply
    }

    @Test func statusPrintsStateCountersAndExactExposure() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let server = try ControlServerDouble(runtimeDirectory: scratch.path, reply: Self.okReply)
        let result = try Self.run(["status", "--runtime-dir", scratch.path], xdgRuntimeDir: scratch.path)
        server.stop()
        #expect(result.status == 0, "\(result.stderr)")
        let lines = result.stdout.split(separator: "\n").map(String.init)
        #expect(lines == [
            "status       ok",
            "state        halted (maintenance)",
            "mode         paper",
            "venue        http://127.0.0.1:45678 (exchange version 2), heartbeat ok",
            "signer       0x70997970C51812dc3A010C7d01b50e0d17dc79C8",
            "actions      received 10, refused 1, malformed 0",
            "orders       accepted 8, rejected 1, unknown 2, open 3",
            "exposure     $12.345678",
            "daily P&L    -$0.0875 realized today (UTC, net of fees)",
            "kill switch  on: a halt cancels our resting orders; 3 canceled so far",
        ])
        #expect(server.requests.map(\.command) == [.status])
        #expect(server.requests.first?.reason == "polypipe status")
    }

    @Test(arguments: [
        (["halt", "--reason", "test: pausing"], Polypipe_Bus_V1_Command.halt, "test: pausing"),
        (["resume"], .resume, "polypipe resume"),
        (["reduce-only", "--reason", "drawdown"], .reduceOnly, "drawdown"),
        (["cancel-all"], .cancelAll, "polypipe cancel-all"),
    ])
    func eachCommandSendsItsRequestAndReason(arguments: [String], command: Polypipe_Bus_V1_Command, reason: String) throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let server = try ControlServerDouble(runtimeDirectory: scratch.path, reply: Self.okReply)
        let result = try Self.run(arguments + ["--runtime-dir", scratch.path], xdgRuntimeDir: scratch.path)
        server.stop()
        #expect(result.status == 0, "\(result.stderr)")
        #expect(server.requests.map(\.command) == [command])
        #expect(server.requests.first?.reason == reason)
        #expect(result.stdout.hasPrefix("\(arguments[0])"))
        if command == .cancelAll {
            #expect(result.stdout.contains("canceled      2: 0xaa, 0xbb"))
            #expect(result.stdout.contains("not canceled  1: 0xcc"))
        }
    }

    @Test func jsonPrintsEveryFieldWithExactAmounts() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let server = try ControlServerDouble(runtimeDirectory: scratch.path, reply: Self.okReply)
        let result = try Self.run(["status", "--json", "--runtime-dir", scratch.path], xdgRuntimeDir: scratch.path)
        server.stop()
        #expect(result.status == 0, "\(result.stderr)")
        let json = try JSONParser.parse(result.stdout.trimmingCharacters(in: .whitespacesAndNewlines))
        #expect(json["ok"] == .bool(true))
        #expect(json["status"]?["state"]?.scalarText == "halted")
        #expect(json["status"]?["total_exposure_micros"]?.scalarText == "12345678")
        #expect(json["status"]?["total_exposure"]?.scalarText == "12.345678")
        #expect(json["status"]?["daily_realized_pnl_micros"]?.scalarText == "-87500")
        #expect(json["status"]?["daily_realized_pnl"]?.scalarText == "-0.0875")
        #expect(json["status"]?["orders_canceled"]?.scalarText == "3")
        #expect(json["status"]?["malformed_messages"]?.scalarText == "0")
        #expect(json["status"]?["signer_address"]?.scalarText == "0x70997970C51812dc3A010C7d01b50e0d17dc79C8")
    }

    @Test func refusedReplyExitsOneWithTheReason() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let server = try ControlServerDouble(runtimeDirectory: scratch.path) { _ in
            var reply = Polypipe_Bus_V1_ControlReply()
            reply.ok = false
            reply.error = "already halted"
            return reply
        }
        let result = try Self.run(["halt", "--runtime-dir", scratch.path], xdgRuntimeDir: scratch.path)
        server.stop()
        #expect(result.status == 1)
        #expect(result.stdout.hasPrefix("halt  refused: already halted"))
        #expect(result.stderr.contains("polypipe halt: exec-proc refused halt: already halted"))
    }

    @Test func silentExecProcTimesOutWithAClearMessage() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let server = try ControlServerDouble(runtimeDirectory: scratch.path, answers: false, reply: Self.okReply)
        let result = try Self.run(["status", "--timeout-ms", "300", "--runtime-dir", scratch.path], xdgRuntimeDir: scratch.path)
        server.stop()
        #expect(result.status == 3)
        #expect(result.stderr.contains("polypipe status: exec-proc did not answer within 300 ms on ipc://\(scratch.path)/control/control.sock"))
        #expect(server.requests.map(\.command) == [.status])  // it was asked, and said nothing
    }

    @Test func missingControlSocketSaysExecProcIsNotRunning() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let result = try Self.run(["status", "--runtime-dir", scratch.path], xdgRuntimeDir: scratch.path)
        #expect(result.status == 2)
        #expect(result.stderr.contains("exec-proc is not running: no control socket at \(scratch.path)/control/control.sock"))
    }

    @Test func findsTheStackRecordedByUpWithoutFlags() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let runtime = "\(scratch.path)/runtime"
        let record = "\(scratch.path)/polypipe-\(getuid())"
        try FileManager.default.createDirectory(atPath: runtime, withIntermediateDirectories: false, attributes: [.posixPermissions: 0o700])
        try FileManager.default.createDirectory(atPath: record, withIntermediateDirectories: false, attributes: [.posixPermissions: 0o700])
        try (runtime + "\n").write(toFile: "\(record)/current", atomically: false, encoding: .utf8)
        let server = try ControlServerDouble(runtimeDirectory: runtime, reply: Self.okReply)
        let result = try Self.run(["status"], xdgRuntimeDir: scratch.path)
        server.stop()
        #expect(result.status == 0, "\(result.stderr)")
        #expect(server.requests.map(\.command) == [.status])
    }

    @Test func noRecordedStackIsExplained() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let result = try Self.run(["status"], xdgRuntimeDir: scratch.path)
        #expect(result.status == 2)
        #expect(result.stderr.contains("no running stack found: pass --runtime-dir, or start one with `polypipe up`"))
    }
}
