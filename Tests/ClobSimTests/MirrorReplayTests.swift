@testable import clob_sim
import Foundation
import Testing
import PolypipeCore
import Upstream

/// The shipped recording replayed into the mirror twice, on a manual clock, with the same
/// orders of ours at the same replay times: the same fills, share for share. The mirror holds
/// no randomness of its own; what varies between two replays under the real stack is only when
/// our orders arrive relative to the records.
@Suite struct MirrorReplayTests {
    static let recording = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("recordings/clob-sim-3m.jsonl").path
    static let alice = try! PrivateKey(hex: "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80")

    /// Replays every record at its time; every 7 s of replay time, places a marketable BUY of 5
    /// Up at the best ask + 0.02 and a resting BUY of 5 Down 0.03 under its best bid, in the
    /// running 20-second window. Returns our trades as (order, price, size) and our balance.
    static func replay() async throws -> (trades: [String], balance: Int64) {
        let reader = try RecordingReader(path: recording)
        let clock = ManualClock()
        let start = try #require(reader.records.first).receivedAtMillis
        clock.advance(millis: start - clock.read())
        let venue = Venue(configuration: .init(), catalog: MarketCatalog(), clock: { clock.read() })
        await venue.startMirroring()
        await venue.fund(alice.address, collateral: 1_000_000_000)
        var nextOrderAt = start + 7_000
        var count = 0
        for record in reader.records {
            while nextOrderAt <= record.receivedAtMillis {
                clock.advance(millis: nextOrderAt - clock.read())
                await venue.tick()
                count += 1
                try await placeOrders(venue, clock: clock, tag: count)
                nextOrderAt += 7_000
            }
            clock.advance(millis: max(0, record.receivedAtMillis - clock.read()))
            await venue.tick()
            await venue.applyUpstream(record)
        }
        let ours = await venue.engine.trades.filter { $0.takerOwner == "alice" || $0.makerLegs.contains { $0.owner == "alice" } }
        let lines = ours.map { "\($0.takerOrderID.prefix(10)) \($0.side) \($0.price) \($0.size) \($0.makerLegs.map { "\($0.orderID.prefix(10)):\($0.amount)" })" }
        return (lines, await venue.engine.ledger.balance(alice.address))
    }

    static func placeOrders(_ venue: Venue, clock: ManualClock, tag: Int) async throws {
        let seconds = clock.read() / 1000
        guard let market = await venue.catalog.market(slug: "btc-updown-20s-\(seconds / 20 * 20)"), market.acceptingOrders, !market.closed else { return }
        let up = try JSONParser.parse(await venue.handle(SimRequest(method: "GET", target: "/book?token_id=\(market.tokens[0])")).body)
        let down = try JSONParser.parse(await venue.handle(SimRequest(method: "GET", target: "/book?token_id=\(market.tokens[1])")).body)
        // Best levels are last (the venue's order).
        guard case .array(let asks)? = up["asks"], let ask = asks.last?["price"]?.scalarText.flatMap({ try? Price($0) }),
              case .array(let bids)? = down["bids"], let bid = bids.last?["price"]?.scalarText.flatMap({ try? Price($0) }) else { return }
        let orders: [(token: TokenID, price: UInt64, type: OrderType)] = [
            (market.tokens[0], min(ask.micros + 20_000, 990_000), .fak), (market.tokens[1], max(bid.micros, 40_000) - 30_000, .gtc),
        ]
        for (index, order) in orders.enumerated() {
            let amounts = try OrderAmounts.limit(side: .buy, price: MicroUnits.format(order.price), size: "5", tick: market.tick)
            let incoming = MatchingEngine.Incoming(id: "ours-\(tag)-\(index)", owner: "alice", maker: alice.address, market: market, token: order.token,
                                                   side: .buy, makerAmount: UInt64(amounts.makerAmount), takerAmount: UInt64(amounts.takerAmount),
                                                   orderType: order.type, postOnly: false, expiration: 0)
            _ = try? await venue.placeForTest(incoming)
        }
    }

    @Test func twoReplaysOfOneRecordingGiveTheSameFills() async throws {
        let first = try await Self.replay()
        let second = try await Self.replay()
        #expect(first.trades.count >= 5, "too few of our trades to compare: \(first.trades)")
        #expect(first.trades == second.trades)
        #expect(first.balance == second.balance)
    }
}
