import Foundation
import Testing
import Bus
import PolypipeCore

/// `polypipe cancel ORDER_ID` and `polypipe cancel --market CONDITION_ID [--token TOKEN_ID]`
/// against ``ControlServerDouble``: the request each sends, the output, the exit status.
@Suite(.serialized) struct CancelCommandTests {
    static let order = "0x" + String(repeating: "ab", count: 32)
    static let market = "0x" + String(repeating: "cd", count: 32)

    @Test func anOrderIDSendsCancelOrderAndListsWhatWasCancelled() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let server = try ControlServerDouble(runtimeDirectory: scratch.path) { _ in
            var reply = ControlCommandTests.okReply(.init())
            reply.canceled = [Self.order]
            return reply
        }
        let result = try ControlCommandTests.run(["cancel", Self.order, "--runtime-dir", scratch.path], xdgRuntimeDir: scratch.path)
        server.stop()
        #expect(result.status == 0, "\(result.stderr)")
        #expect(server.requests.map(\.command) == [.cancelOrder])
        #expect(server.requests.first?.orderID == Self.order)
        #expect(server.requests.first?.market == "")
        #expect(result.stdout.contains("canceled      1: \(Self.order)"))
    }

    @Test func aMarketAndTokenSendCancelMarket() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let server = try ControlServerDouble(runtimeDirectory: scratch.path, reply: ControlCommandTests.okReply)
        let result = try ControlCommandTests.run(["cancel", "--market", Self.market, "--token", "123", "--runtime-dir", scratch.path],
                                                 xdgRuntimeDir: scratch.path)
        server.stop()
        #expect(result.status == 0, "\(result.stderr)")
        #expect(server.requests.map(\.command) == [.cancelMarket])
        #expect(server.requests.first?.market == Self.market)
        #expect(server.requests.first?.tokenID == "123")
        #expect(server.requests.first?.orderID == "")
    }

    @Test func nothingCancelledExitsOneWithExecProcsReason() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let server = try ControlServerDouble(runtimeDirectory: scratch.path) { _ in
            var reply = Polypipe_Bus_V1_ControlReply()
            reply.ok = false
            reply.error = "nothing to cancel"
            reply.notCanceled = ["\(Self.order): Order already matched"]
            return reply
        }
        let result = try ControlCommandTests.run(["cancel", Self.order, "--runtime-dir", scratch.path], xdgRuntimeDir: scratch.path)
        server.stop()
        #expect(result.status == 1)
        #expect(result.stdout.contains("not canceled  1: \(Self.order): Order already matched"))
        #expect(result.stderr.contains("polypipe cancel: exec-proc refused cancel: nothing to cancel"))
    }

    @Test(arguments: [[], [order, "--market", market], ["--token", "1"]])
    func aTargetIsRequiredAndExactlyOne(arguments: [String]) throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let result = try ControlCommandTests.run(["cancel"] + arguments + ["--runtime-dir", scratch.path], xdgRuntimeDir: scratch.path)
        #expect(result.status != 0)
        #expect(result.stderr.contains("order id") || result.stderr.contains("--market"), "\(result.stderr)")
    }

    @Test func noExecProcExitsTwo() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let result = try ControlCommandTests.run(["cancel", Self.order, "--runtime-dir", scratch.path], xdgRuntimeDir: scratch.path)
        #expect(result.status == 2)
        #expect(result.stderr.contains("exec-proc is not running"))
    }
}
