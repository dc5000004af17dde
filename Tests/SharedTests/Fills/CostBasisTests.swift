import Testing
import Fills
import PolypipeCore

@Suite struct CostBasisTests {
    static func buy(_ book: inout CostBasis, _ shares: UInt64, at price: UInt64) { book.apply(side: .buy, shares: Shares(micros: shares), price: Price(micros: price)) }
    static func sell(_ book: inout CostBasis, _ shares: UInt64, at price: UInt64) { book.apply(side: .sell, shares: Shares(micros: shares), price: Price(micros: price)) }

    @Test func goingFlatRealizesExactlyTheCashFlows() {
        // Thirds do not divide evenly: each partial reduce floors the basis it removes, and the
        // last one takes the remainder, so the total is the exact cash flow.
        var book = CostBasis()
        Self.buy(&book, 3_000_000, at: 333_333)
        Self.buy(&book, 1, at: 999_999)
        Self.sell(&book, 1_000_000, at: 500_000)
        Self.sell(&book, 1_000_000, at: 500_001)
        Self.sell(&book, 1_000_001, at: 400_000)
        let cash = Int128(1_000_000 * 500_000 + 1_000_000 * 500_001 + 1_000_001 * 400_000) - Int128(3_000_000 * 333_333 + 999_999)
        #expect(book.size == 0 && book.basisPicos == 0 && book.realizedPicos == cash)
    }

    @Test func aSellBeforeItsBuyGivesTheSameResultAsInOrder() {
        var inOrder = CostBasis()
        Self.buy(&inOrder, 10_000_000, at: 500_000)
        Self.sell(&inOrder, 4_000_000, at: 600_000)
        var reversed = CostBasis()
        Self.sell(&reversed, 4_000_000, at: 600_000)
        #expect(reversed.size == -4_000_000 && reversed.averagePrice == Price(micros: 600_000))
        Self.buy(&reversed, 10_000_000, at: 500_000)
        #expect(reversed == inOrder)
        #expect(inOrder.realized == Signed(micros: 400_000) && inOrder.averagePrice == Price(micros: 500_000))
    }

    @Test func roundingIsDocumented() {
        var book = CostBasis()
        Self.buy(&book, 3_000_000, at: 100_000)
        Self.buy(&book, 3_000_000, at: 100_001)
        // (0.3 + 0.300003) / 6 = 0.1000005: half up to 0.100001.
        #expect(book.averagePrice == Price(micros: 100_001))
        // Realized P&L floors toward −∞: a loss of 0.5 micro-units reports as −1.
        var loss = CostBasis()
        Self.buy(&loss, 1, at: 500_000)
        Self.sell(&loss, 1, at: 499_999)
        #expect(loss.realizedPicos == -1 && loss.realized == Signed(micros: -1))
        #expect(CostBasis().averagePrice == Price(micros: 0) && CostBasis().unrealized(mark: Price(micros: 500_000)) == .zero)
    }

    @Test func settlingAShortPaysOutAgainstIt() {
        var short = CostBasis()
        Self.sell(&short, 10_000_000, at: 300_000)
        short.settle(payout: Price(micros: 1_000_000))
        // Sold at 0.30 and owed 1 per share: −7.
        #expect(short.realized == Signed(micros: -7_000_000) && short.size == 0)
    }
}
