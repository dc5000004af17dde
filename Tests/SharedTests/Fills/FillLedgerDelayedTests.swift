import Foundation
import Testing
import PolypipeCore

/// LIFE-06 on fill-proc's side: an order the venue answered `delayed` (the taker delay, spec §9)
/// is open with nothing filled; its fill arrives later, from REST and from the user channel,
/// and counts once.
@Suite struct FillLedgerDelayedTests {
    typealias S = FillScenario

    @Test func aDelayedOrderIsOpenUntilItsTradeArrivesAndTheTradeCountsOnce() throws {
        var ledger = S.ledger([S.order(1, size: 5_000_000)])
        _ = ledger.record(.venueStatus("delayed"), orderID: S.orderID(1), atMillis: 1_100)
        _ = ledger.record(.venueStatus("DELAYED"), orderID: S.orderID(1), atMillis: 1_150)  // user channel `order` UPDATE
        #expect(ledger.order(S.orderID(1))?.state == .open)
        #expect(ledger.fills.isEmpty && ledger.position(S.upKey) == nil, "nothing filled before a trade")

        // 250 ms later it matched: the user channel and the next REST poll both report it.
        let ws = S.trade("t-delayed", taker: S.leg(1, .buy, size: 5_000_000, price: 500_000),
                         makers: [S.foreignLeg(.sell, size: 5_000_000, price: 500_000)], matchedAt: 1_400, observedAt: 1_420, source: .userChannel)
        let rest = S.trade("t-delayed", taker: S.leg(1, .buy, size: 5_000_000, price: 500_000),
                           makers: [S.foreignLeg(.sell, size: 5_000_000, price: 500_000)], status: .confirmed, matchedAt: 1_400, observedAt: 2_000)
        #expect(ledger.ingest(ws).newFills.count == 1)
        #expect(ledger.ingest(rest).newFills.isEmpty)
        #expect(ledger.fills.count == 1)
        #expect(ledger.position(S.upKey)?.size == Signed(micros: 5_000_000))
        #expect(ledger.order(S.orderID(1))?.state == .filled)
    }
}
