import Testing
import PolypipeCore
@testable import clob_sim

/// The mirror's queue-position estimate (``MirrorQueue``), one rule per test, then random
/// sequences against the invariants that keep a mirror honest.
@Suite struct MirrorQueueTests {
    static let up = try! TokenID(decimal: "11")
    static let down = try! TokenID(decimal: "22")

    /// Rule 1 and 2: behind 12 displayed shares, a 10-share print leaves it unfilled with 2 in
    /// front; the next 5 fill 3 of it.
    @Test func aRestingOrderFillsOnlyOnceTradesAtItsPriceExceedTheQueueInFront() {
        var queue = MirrorQueue()
        queue.join(id: "a", token: Self.up, side: .buy, price: 450_000, size: 5_000_000, displayedAhead: 12_000_000)
        #expect(queue.traded(token: Self.up, price: 450_000, size: 10_000_000).isEmpty)
        #expect(queue.entry("a")?.ahead == 2_000_000)
        #expect(queue.traded(token: Self.up, price: 450_000, size: 5_000_000) == [.init(id: "a", size: 3_000_000)])
        #expect(queue.entry("a")?.remaining == 2_000_000 && queue.entry("a")?.ahead == 0)
        // Prints at other tokens or at a worse-for-us price leave it alone.
        #expect(queue.traded(token: Self.down, price: 450_000, size: 50_000_000).isEmpty)
        #expect(queue.traded(token: Self.up, price: 460_000, size: 50_000_000).isEmpty)
        #expect(queue.traded(token: Self.up, price: 450_000, size: 9_000_000) == [.init(id: "a", size: 2_000_000)])
        #expect(queue.entry("a") == nil, "a filled order leaves the queue")
    }

    /// Rule 2: two of our orders at one price share a print once, in arrival order.
    @Test func ourOrdersAtOnePriceNeverFillFromTheSameVolumeTwice() {
        var queue = MirrorQueue()
        queue.join(id: "first", token: Self.up, side: .sell, price: 550_000, size: 5_000_000, displayedAhead: 1_000_000)
        queue.join(id: "second", token: Self.up, side: .sell, price: 550_000, size: 5_000_000, displayedAhead: 3_000_000)
        // 8 traded: 1 upstream, 5 to first, and second had 3 upstream in front: 8 − 5 = 3 reach it, none past.
        #expect(queue.traded(token: Self.up, price: 550_000, size: 8_000_000) == [.init(id: "first", size: 5_000_000)])
        #expect(queue.entry("second")?.ahead == 0)
        #expect(queue.traded(token: Self.up, price: 550_000, size: 2_000_000) == [.init(id: "second", size: 2_000_000)])
    }

    /// Rule 3: a level shrinking by more than traded lost the rest to cancels, spread evenly.
    @Test func cancellationsAheadShrinkTheQueueInProportion() {
        var queue = MirrorQueue()
        queue.join(id: "a", token: Self.up, side: .buy, price: 400_000, size: 5_000_000, displayedAhead: 10_000_000)
        // The level goes 20 → 14 with 2 traded: 4 cancelled of 20, so 10 in front becomes 8.
        queue.levelChanged(token: Self.up, side: .buy, price: 400_000, before: 20_000_000, after: 14_000_000, traded: 2_000_000)
        #expect(queue.entry("a")?.ahead == 8_000_000)
        // Growth changes nothing in front (rule 5), nor does a change on the other side.
        queue.levelChanged(token: Self.up, side: .buy, price: 400_000, before: 14_000_000, after: 30_000_000, traded: 0)
        queue.levelChanged(token: Self.up, side: .sell, price: 400_000, before: 30_000_000, after: 0, traded: 0)
        #expect(queue.entry("a")?.ahead == 8_000_000)
        // Rounded so that it shrinks less: 8 × 1 / 3 = 2.666… → 2.666666 off, never 2.666667.
        queue.levelChanged(token: Self.up, side: .buy, price: 400_000, before: 3_000_000, after: 2_000_000, traded: 0)
        #expect(queue.entry("a")?.ahead == 5_333_334)
    }

    /// Rule 4: a print through our price reaches us first, best price first, once.
    @Test func aPrintThroughOurPriceFillsUsWithItsVolume() {
        var queue = MirrorQueue()
        queue.join(id: "high", token: Self.up, side: .buy, price: 470_000, size: 5_000_000, displayedAhead: 40_000_000)
        queue.join(id: "low", token: Self.up, side: .buy, price: 460_000, size: 5_000_000, displayedAhead: 40_000_000)
        queue.join(id: "at", token: Self.up, side: .buy, price: 450_000, size: 5_000_000, displayedAhead: 0)
        // A 7-share print at 0.45: 5 to the 0.47 bid, 2 to the 0.46 one, nothing left for 0.45.
        #expect(queue.traded(token: Self.up, price: 450_000, size: 7_000_000) == [.init(id: "high", size: 5_000_000), .init(id: "low", size: 2_000_000)])
        #expect(queue.entry("at")?.remaining == 5_000_000)
    }

    /// Random joins, prints, level changes and removals never fill an order beyond its size and
    /// never give ours more than the upstream traded; without cancellations (odd seeds) an order
    /// no print went through fills at most what was printed at its price past what was in
    /// front of it when it joined.
    @Test(arguments: 0..<40) func randomSequencesKeepTheInvariants(seed: UInt64) {
        var rng = SplitMix64(seed: seed)
        let withCancels = seed % 2 == 0
        var queue = MirrorQueue()
        var sizes: [String: UInt64] = [:]
        var joinedAhead: [String: UInt64] = [:]
        var filled: [String: UInt64] = [:]
        var printedAtPrice: [String: UInt64] = [:]
        var passedThrough: Set<String> = []
        var traded: [TokenID: UInt64] = [:]
        var oursFilled: [TokenID: UInt64] = [:]
        var tokens: [String: TokenID] = [:]
        var next = 0
        let prices: [UInt64] = [430_000, 440_000, 450_000, 460_000]
        for _ in 0..<200 {
            let token = Bool.random(using: &rng) ? Self.up : Self.down
            let price = prices.randomElement(using: &rng)!
            switch UInt8.random(in: 0..<10, using: &rng) {
            case 0...2:
                next += 1
                let id = "o\(next)"
                let size = UInt64.random(in: 1...10, using: &rng) * 1_000_000
                let ahead = UInt64.random(in: 0...30, using: &rng) * 500_000
                queue.join(id: id, token: token, side: .buy, price: price, size: size, displayedAhead: ahead)
                (sizes[id], joinedAhead[id], tokens[id]) = (size, ahead, token)
            case 3...6:
                let size = UInt64.random(in: 1...20, using: &rng) * 1_000_000
                for entry in queue.entries where entry.token == token {
                    if price == entry.price { printedAtPrice[entry.id, default: 0] += size }
                    if price < entry.price { passedThrough.insert(entry.id) }
                }
                traded[token, default: 0] += size
                for fill in queue.traded(token: token, price: price, size: size) {
                    filled[fill.id, default: 0] += fill.size
                    oursFilled[tokens[fill.id]!, default: 0] += fill.size
                }
            case 7...8 where withCancels:
                queue.levelChanged(token: token, side: .buy, price: price, before: UInt64.random(in: 0...40, using: &rng) * 500_000,
                                   after: UInt64.random(in: 0...40, using: &rng) * 500_000, traded: UInt64.random(in: 0...4, using: &rng) * 500_000)
            case 7...8:
                break
            default:
                if let victim = queue.entries.randomElement(using: &rng) { queue.remove(id: victim.id) }
            }
            for (id, amount) in filled { #expect(amount <= sizes[id]!, "seed \(seed): \(id) filled \(amount) of \(sizes[id]!)") }
            for (token, amount) in oursFilled { #expect(amount <= traded[token] ?? 0, "seed \(seed): ours got more than was traded") }
            for entry in queue.entries { #expect(entry.remaining + (filled[entry.id] ?? 0) == sizes[entry.id]!) }
            guard !withCancels else { continue }
            for (id, amount) in filled where !passedThrough.contains(id) {
                let printed = printedAtPrice[id] ?? 0
                let bound = printed > joinedAhead[id]! ? printed - joinedAhead[id]! : 0
                #expect(amount <= bound, "seed \(seed): \(id) filled \(amount), but only \(printed) printed past \(joinedAhead[id]!) in front")
            }
        }
    }
}
