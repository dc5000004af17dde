import Testing
import Execution
import PolypipeCore

/// ``ExposureSnapshot``: exposure and holdings from what the venue lists and what only
/// exec-proc knows, each rule with exact micro-unit figures.
@Suite struct ExposureSnapshotTests {
    static let up = TokenID(UInt256(UInt64(1)))
    static let down = TokenID(UInt256(UInt64(2)))

    @Test func aRestingBuyCountsItsUnmatchedRestRoundedUp() {
        // 10 shares at 0.333333, 3.000001 matched: 6.999999 × 0.333333 = 2.333330666… → 2.333331.
        let snapshot = ExposureSnapshot(
            resting: [.init(market: "m", token: Self.up, side: .buy, price: Price(micros: 333_333), unmatched: Shares(micros: 6_999_999))],
            unlisted: [], balances: [:], marketOf: [:], provisional: [:])
        #expect(snapshot.exposure == ["m": 2_333_331])
    }

    @Test func anUnlistedOrderOfOursCountsWhole() {
        let snapshot = ExposureSnapshot(
            resting: [], unlisted: [.init(market: "m", token: Self.up, side: .buy, collateral: 2_500_000, shares: 5_000_000),
                                    .init(market: "m", token: Self.down, side: .sell, collateral: 0, shares: 4_000_000)],
            balances: [Self.down: 10_000_000], marketOf: [Self.down: "m"], provisional: [:])
        #expect(snapshot.exposure == ["m": 2_500_000 + 10_000_000], "the unknown BUY at full size, held shares at face value")
        #expect(snapshot.holdings[Self.down] == 6_000_000, "the unlisted SELL's shares are spoken for")
    }

    /// SET-03: shares of a trade not yet CONFIRMED may vanish; a SELL may not use them, nor
    /// shares already offered by a resting SELL. Never below zero.
    @Test func holdingsLeaveOutProvisionalAndOfferedShares() {
        let snapshot = ExposureSnapshot(
            resting: [.init(market: "m", token: Self.up, side: .sell, price: Price(micros: 600_000), unmatched: Shares(micros: 3_000_000))],
            unlisted: [], balances: [Self.up: 10_000_000, Self.down: 1_000_000], marketOf: [Self.up: "m", Self.down: "m"],
            provisional: [Self.up: 4_000_000, Self.down: 5_000_000])
        #expect(snapshot.holdings[Self.up] == 3_000_000, "10 held − 4 provisional − 3 offered")
        #expect(snapshot.holdings[Self.down] == 0, "clamped at zero")
        #expect(snapshot.exposure == ["m": 11_000_000], "a resting SELL adds no collateral; held shares count at 1 pUSD")
        #expect(snapshot.totalExposure == 11_000_000)
    }

    @Test func aHeldTokenOfUnknownMarketStillCounts() {
        let snapshot = ExposureSnapshot(resting: [], unlisted: [], balances: [Self.up: 2_000_000, Self.down: 0], marketOf: [:], provisional: [:])
        #expect(snapshot.exposure == ["": 2_000_000])
        #expect(snapshot.holdings == [Self.up: 2_000_000, Self.down: 0])
    }
}
