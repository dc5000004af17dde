import Foundation
import GRDB
import Testing
import Bus
import JournalStore
import PolypipeCore

/// `polypipe audit` and `polypipe orders` through the built binary, against a journal this
/// test writes (and then tampers with, as someone with write access to the file would).
@Suite(.serialized) struct ReadCommandTests {
    static func run(_ arguments: [String], scratch: Scratch) throws -> SigningToolTests.Run {
        try SigningToolTests.run(arguments, input: "", environment: ["XDG_RUNTIME_DIR": scratch.path])
    }

    /// A signed-order body as exec-proc journals it (the signature is not checked here):
    /// BUY 10 shares at 0.50 = 5 pUSD for 10 shares.
    static let buyBody = Array("""
        {"order":{"salt":"1","maker":"0x70997970C51812dc3A010C7d01b50e0d17dc79C8","signer":"0x70997970C51812dc3A010C7d01b50e0d17dc79C8",\
        "tokenId":"123","makerAmount":"5000000","takerAmount":"10000000","side":"BUY","signatureType":"0","timestamp":"1",\
        "metadata":"0x0000000000000000000000000000000000000000000000000000000000000000",\
        "builder":"0x0000000000000000000000000000000000000000000000000000000000000000","expiration":"0","signature":"0x01"},\
        "owner":"key","orderType":"GTC"}
        """.utf8)

    /// Three audit lines (at 1 000, 2 000, 3 000 ms) and one accepted order, at `path`.
    static func journal(at path: String) throws {
        let journal = try Journal(path: path, indexing: .onRead)
        _ = try journal.record(actionID: "a1", orderHash: "0xab", market: "m1", body: buyBody, nowMillis: 1_000, expiresAtMillis: 60_000,
                               audit: ("signed", "BUY 10 @ 0.50"))
        try journal.update(orderHash: "0xab", to: .accepted, nowMillis: 2_000, audit: ("a1", "accepted", "live"))
        try journal.audit(actionID: nil, decision: "halt", detail: "operator", nowMillis: 3_000)
        _ = try journal.auditCount()
    }

    static func tamper(_ path: String, _ sql: String) throws {
        let queue = try DatabaseQueue(path: path)
        try queue.write { try $0.execute(sql: sql) }
    }

    @Test func verifyExitsZeroOnAnIntactChainAndOneNamingTheFirstBadRow() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let path = scratch.path + "/journal.sqlite"
        try Self.journal(at: path)

        var result = try Self.run(["audit", "--verify", "--journal", path], scratch: scratch)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.hasPrefix("audit chain intact: 3 rows, last row 3 at 1970-01-01T00:00:03.000Z, head 0x"), "\(result.stdout)")

        try Self.tamper(path, "UPDATE audit SET detail = 'BUY 10 @ 0.40' WHERE id = 1")
        result = try Self.run(["audit", "--verify", "--journal", path], scratch: scratch)
        #expect(result.status == 1)
        #expect(result.stdout == "audit chain BROKEN at row 1 (1970-01-01T00:00:01.000Z): its contents do not match its hash (changed after it was written)\n")

        try Self.tamper(path, "UPDATE audit SET detail = 'BUY 10 @ 0.50' WHERE id = 1; DELETE FROM audit WHERE id = 3")
        result = try Self.run(["audit", "--verify", "--json", "--journal", path], scratch: scratch)
        #expect(result.status == 1)
        let bad = result.lines.first?["first_bad"]
        #expect(result.lines.first?["intact"] == .bool(false))
        #expect(bad?["id"] == .number("3") && bad?["problem"] == .string("missing_at_end") && bad?["at_ms"] == .null, "\(result.stdout)")
    }

    @Test func auditListsLinesSinceATimeAndRefusesABadTime() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let path = scratch.path + "/journal.sqlite"
        try Self.journal(at: path)

        var result = try Self.run(["audit", "--journal", path], scratch: scratch)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.split(separator: "\n") == [
            "ID  TIME (UTC)                ACTION  DECISION  DETAIL",
            " 1  1970-01-01T00:00:01.000Z  a1      signed    BUY 10 @ 0.50",
            " 2  1970-01-01T00:00:02.000Z  a1      accepted  live",
            " 3  1970-01-01T00:00:03.000Z  -       halt      operator",
        ])
        for since in ["2000", "1970-01-01T00:00:02Z", "1970-01-01T01:00:02.000+01:00"] {
            result = try Self.run(["audit", "--since", since, "--json", "--journal", path], scratch: scratch)
            guard case .array(let lines)? = result.lines.first?["lines"] else { Issue.record("no lines for --since \(since): \(result.stdout)"); continue }
            #expect(lines.map { $0["id"] } == [.number("2"), .number("3")], "--since \(since)")
            #expect(lines.last?["action_id"] == .null && lines.first?["at"] == .string("1970-01-01T00:00:02.000Z"))
        }
        result = try Self.run(["audit", "--since", "yesterday", "--journal", path], scratch: scratch)
        #expect(result.status != 0)
        #expect(result.stderr.contains("'yesterday' is not a time: expected unix milliseconds"), "\(result.stderr)")
    }

    @Test func aMissingJournalIsNamedWithExitTwo() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let result = try Self.run(["audit", "--verify", "--journal", scratch.path + "/nope.sqlite"], scratch: scratch)
        #expect(result.status == 2)
        #expect(result.stderr.contains("no journal found (looked at \(scratch.path)/nope.sqlite (--journal))"), "\(result.stderr)")
        #expect(!FileManager.default.fileExists(atPath: scratch.path + "/nope.sqlite"), "reading must not create a journal")
    }

    @Test func ordersShowStateSidePriceAndSizeFromTheSignedBody() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        // Found through the runtime directory, as exec-proc lays it out.
        try FileManager.default.createDirectory(atPath: scratch.path + "/exec", withIntermediateDirectories: true)
        try Self.journal(at: scratch.path + "/exec/journal.sqlite")

        var result = try Self.run(["orders", "--runtime-dir", scratch.path], scratch: scratch)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.split(separator: "\n") == [
            "CREATED (UTC)             STATE     SIDE  TYPE  PRICE   SIZE  FILLED  MARKET  ACTION  ORDER  REASON",
            "1970-01-01T00:00:01.000Z  accepted  BUY   GTC    0.50  10.00       -  m1      a1      0xab",
        ])
        result = try Self.run(["orders", "--json", "--runtime-dir", scratch.path], scratch: scratch)
        guard case .array(let orders)? = result.lines.first?["orders"], let order = orders.first else {
            Issue.record("no orders in \(result.stdout)"); return
        }
        #expect(order["side"] == .string("BUY") && order["price_micros"] == .number("500000") && order["size"] == .string("10"))
        #expect(order["open"] == .bool(true) && order["state"] == .string("accepted") && order["token_id"] == .string("123"))
        #expect(order["filled_micros"] == .null)
        #expect(result.stderr.contains("filled sizes unknown: fill-proc is not running"), "\(result.stderr)")
    }

    /// A partial fill shows in FILLED, from fill-proc's snapshot (here a stand-in answering once).
    @Test func ordersShowWhatFillProcSaysFilled() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        try FileManager.default.createDirectory(atPath: scratch.path + "/exec", withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: scratch.path + "/fill", withIntermediateDirectories: true)
        try Self.journal(at: scratch.path + "/exec/journal.sqlite")
        var state = Polypipe_Bus_V1_FillState()
        var order = Polypipe_Bus_V1_OrderStatus()
        order.orderID = "0xAB"
        order.matchedMicros = 4_000_000
        state.orders = [order]
        let context = try ZmqContext()
        let endpoint = "ipc://" + scratch.path + "/fill/snapshot.sock"
        let payload = state.busPayload
        let bound = DispatchSemaphore(value: 0)
        let answering = Thread {
            // The socket lives on this thread only.
            guard let server = try? ZmqSocket(context, .reply), (try? server.bind(endpoint)) != nil else { bound.signal(); return }
            bound.signal()
            if (try? server.receive(timeoutMilliseconds: 20_000)) != nil { try? server.send([payload]) }
        }
        answering.start()
        bound.wait()

        let result = try Self.run(["orders", "--runtime-dir", scratch.path], scratch: scratch)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.split(separator: "\n") == [
            "CREATED (UTC)             STATE     SIDE  TYPE  PRICE   SIZE  FILLED  MARKET  ACTION  ORDER  REASON",
            "1970-01-01T00:00:01.000Z  accepted  BUY   GTC    0.50  10.00    4.00  m1      a1      0xab",
        ])
        #expect(result.stderr.isEmpty, "\(result.stderr)")
    }

    @Test func positionsSayWhenFillProcIsNotRunning() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let result = try Self.run(["positions", "--runtime-dir", scratch.path], scratch: scratch)
        #expect(result.status == 2)
        #expect(result.stderr == "polypipe positions: fill-proc is not running (no socket at \(scratch.path)/fill/snapshot.sock)\n")
    }
}
