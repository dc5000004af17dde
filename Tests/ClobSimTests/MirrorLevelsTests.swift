import Testing
import PolypipeCore
@testable import clob_sim

/// What the mirror offers of the upstream's book once our orders took some of it.
@Suite struct MirrorLevelsTests {
    @Test func sharesWeTookAreNotOfferedAgainWhileTheUpstreamStillShowsThem() {
        var levels = MirrorLevels()
        levels.replace(bids: [450_000: 20_000_000], asks: [550_000: 10_000_000, 560_000: 5_000_000])
        #expect(levels.take(side: .sell, price: 550_000, size: 4_000_000) == 4_000_000)
        #expect(levels.offered(side: .sell, price: 550_000) == 6_000_000)
        // The upstream still shows 10: a second order gets the 6 left, not 10 again.
        levels.set(side: .sell, price: 550_000, size: 10_000_000)
        #expect(levels.take(side: .sell, price: 550_000, size: 10_000_000) == 6_000_000)
        #expect(levels.offeredLevels(side: .sell).map(\.price) == [560_000])
        // A snapshot showing the same level keeps what we took.
        levels.replace(bids: [450_000: 20_000_000], asks: [550_000: 10_000_000])
        #expect(levels.offered(side: .sell, price: 550_000) == 0)
    }

    @Test func whenTheUpstreamShowsLessTheConsumedPartIsCutNeverInOurFavour() {
        var levels = MirrorLevels()
        levels.replace(bids: [450_000: 10_000_000], asks: [:])
        levels.take(side: .buy, price: 450_000, size: 4_000_000)
        levels.set(side: .buy, price: 450_000, size: 7_000_000)  // 3 left upstream: maybe not ours
        #expect(levels.offered(side: .buy, price: 450_000) == 3_000_000)
        levels.set(side: .buy, price: 450_000, size: 3_000_000)
        #expect(levels.offered(side: .buy, price: 450_000) == 0)
        levels.set(side: .buy, price: 450_000, size: 10_000_000)  // refilled: 3 still counted as ours
        #expect(levels.offered(side: .buy, price: 450_000) == 7_000_000)
        levels.set(side: .buy, price: 450_000, size: 0)  // the level went: forgotten
        levels.set(side: .buy, price: 450_000, size: 10_000_000)
        #expect(levels.offered(side: .buy, price: 450_000) == 10_000_000)
        #expect(levels.offeredLevels(side: .buy).map(\.size) == [10_000_000])
    }
}
