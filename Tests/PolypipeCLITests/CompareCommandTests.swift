import Foundation
import Testing
import Fills
import PolypipeCore

/// `polypipe compare` through the binary, over two fill stores this test writes.
@Suite struct CompareCommandTests {
    static let market = "0x00000000000000000000000000000000000000000000000000000000000000aa"
    static let token = TokenID(UInt256(UInt64(1001)))

    /// A store with `orders` BUYs of 10 expecting 0.50, the first `filled` of them filled at `price`.
    static func store(at path: String, orders: Int, filled: Int, price: UInt64) throws {
        let store = try FillStore(path: path)
        var ledger = FillLedger()
        for number in 1...orders {
            let id = OrderID("0x" + String(repeating: "0", count: 62) + String(format: "%02x", number))
            try store.save(ledger.track(OrderRecord(orderID: id, actionID: "a\(number)", market: market, token: token, side: .buy,
                                                    size: Shares(micros: 10_000_000), limitPrice: Price(micros: 600_000),
                                                    expectedPrice: Price(micros: 500_000), createdAtMillis: 1_000)), counters: IngestCounters())
            try store.save(ledger.record(.submitted, orderID: id, atMillis: 1_000), counters: IngestCounters())
            guard number <= filled else { continue }
            let ours = TradeObservation.Leg(orderID: id, token: token, side: .buy, size: Shares(micros: 10_000_000), price: Price(micros: price))
            let theirs = TradeObservation.Leg(orderID: OrderID("0xforeign\(number)"), token: token, side: .sell, size: Shares(micros: 10_000_000), price: Price(micros: price))
            try store.save(ledger.ingest(TradeObservation(tradeID: "t\(number)", market: market, status: .matched, taker: ours, makers: [theirs],
                                                          matchedAtMillis: 1_250, observedAtMillis: 1_300, source: .rest)), counters: IngestCounters())
        }
    }

    @Test func twoRunsSideBySide() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        try FileManager.default.createDirectory(atPath: scratch.path + "/mirror/fill", withIntermediateDirectories: true)
        try Self.store(at: scratch.path + "/mirror/fill/fills.sqlite", orders: 4, filled: 2, price: 510_000)
        try Self.store(at: scratch.path + "/plain.sqlite", orders: 2, filled: 2, price: 500_000)

        let run = try SigningToolTests.run(["compare", scratch.path + "/mirror", scratch.path + "/plain.sqlite", "--labels", "mirror,clob-sim"], input: "")
        #expect(run.status == 0, "\(run.stderr)")
        let rows = run.stdout.split(separator: "\n").map { $0.split(separator: " ", omittingEmptySubsequences: true).joined(separator: " ") }
        #expect(rows.contains("mirror clob-sim"), "\(run.stdout)")
        #expect(rows.contains("orders 4 2") && rows.contains("fills 2 2") && rows.contains("fill rate 50.00% 100.00%"), "\(run.stdout)")
        #expect(rows.contains("slippage p95 0.0100 0.0000") && rows.contains("fill latency p50 250 ms 250 ms"), "\(run.stdout)")

        let missing = try SigningToolTests.run(["compare", scratch.path + "/nope", scratch.path + "/plain.sqlite"], input: "")
        #expect(missing.status == 2 && missing.stderr.contains("nope does not exist"), "\(missing.stderr)")
        #expect(!FileManager.default.fileExists(atPath: scratch.path + "/nope"))
    }
}
