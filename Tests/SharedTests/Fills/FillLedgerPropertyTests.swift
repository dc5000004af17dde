import Testing
import Fills
import PolypipeCore
import VenueClient

/// Random sequences (seeded, reproducible) of fills, repeats, settlement steps in any order,
/// voids and bad trades: the positions always equal a recomputation from the surviving fills.
///
/// The oracle is independent of the ledger's status logic: a fill survives unless the *first*
/// terminal status seen for it was FAILED, and it is confirmed when that first terminal status
/// was CONFIRMED.
@Suite struct FillLedgerPropertyTests {
    typealias S = FillScenario

    struct Sent {
        var trade: TradeObservation
        var firstTerminal: TradeStatus?
    }

    static let statuses: [TradeStatus] = [.matched, .mined, .retrying, .confirmed, .failed]

    @Test(arguments: UInt64(1)...40)
    func positionsAlwaysEqualTheReplayOfTheSurvivingFills(seed: UInt64) throws {
        var random = SplitMix64(seed: seed)
        let orders = (1...8).map { number in
            S.order(number, Bool.random(using: &random) ? .buy : .sell, size: 1_000_000_000,
                    expected: UInt64.random(in: 1...999_999, using: &random), token: Bool.random(using: &random) ? S.up : S.down)
        }
        var ledger = S.ledger(orders)
        var sent: [String: Sent] = [:]
        var firstSeen: [String] = []
        for step in 0..<80 {
            let roll = Int.random(in: 0..<10, using: &random)
            if roll < 4 || sent.isEmpty {
                // A new trade: our taker leg against a foreign maker, or our resting order as a maker.
                let order = orders[Int.random(in: 0..<orders.count, using: &random)]
                let number = orders.firstIndex(of: order)! + 1
                let size = UInt64.random(in: 1...5_000_000, using: &random)
                let price = UInt64.random(in: 1...999_999, using: &random)
                let ours = S.leg(number, order.side, size: size, price: price, token: order.token)
                let other = S.foreignLeg(order.side == .buy ? .sell : .buy, size: size, price: price, token: order.token)
                let status = Self.statuses[Int.random(in: 0..<Self.statuses.count, using: &random)]
                let id = "t\(step)"
                let trade = Bool.random(using: &random)
                    ? S.trade(id, taker: ours, makers: [other], status: status, matchedAt: Int64(step), observedAt: Int64(step))
                    : S.trade(id, taker: other, makers: [ours], status: status, matchedAt: Int64(step), observedAt: Int64(step))
                #expect(ledger.ingest(trade).newFills.count == 1)
                sent[id] = Sent(trade: trade, firstTerminal: status.isTerminal ? status : nil)
                firstSeen.append(id)
            } else if roll < 9 {
                // A known trade again, at any status, from either source.
                let id = firstSeen[Int.random(in: 0..<firstSeen.count, using: &random)]
                guard var known = sent[id] else { continue }
                let status = Self.statuses[Int.random(in: 0..<Self.statuses.count, using: &random)]
                let again = known.trade
                _ = ledger.ingest(TradeObservation(tradeID: again.tradeID, market: again.market, status: status, taker: again.taker,
                                                   makers: again.makers, matchedAtMillis: again.matchedAtMillis, observedAtMillis: Int64(step),
                                                   source: Bool.random(using: &random) ? .rest : .userChannel))
                if known.firstTerminal == nil, status.isTerminal { known.firstTerminal = status }
                sent[id] = known
            } else {
                // A bad trade: one of our legs with the wrong token. Dropped whole.
                let before = ledger.snapshot.fills
                let order = orders[0]
                let wrong = order.token == S.up ? S.down : S.up
                let update = ledger.ingest(S.trade("bad\(step)", taker: S.leg(1, order.side, size: 1_000_000, price: 500_000, token: wrong)))
                #expect(update.dropped != nil && ledger.snapshot.fills == before)
            }
        }

        // The oracle's survivors, in first-seen order.
        let survivors = firstSeen.filter { sent[$0]?.firstTerminal != .failed }
        #expect(ledger.fills.filter { !$0.isVoided }.map(\.key.tradeID) == survivors)
        for fill in ledger.fills {
            let first = sent[fill.key.tradeID]?.firstTerminal
            #expect(fill.isVoided == (first == .failed) && fill.isConfirmed == (first == .confirmed))
        }

        // Each position against sums over its surviving fills (exact, in picos).
        for position in ledger.positions {
            let fills = ledger.fills.filter { !$0.isVoided && $0.positionKey == position.key }
            func signed(_ fill: FillRecord) -> Int64 { fill.side == .buy ? Int64(fill.size.micros) : -Int64(fill.size.micros) }
            #expect(position.size.micros == fills.reduce(0) { $0 + signed($1) })
            #expect(position.confirmedSize.micros == fills.filter(\.isConfirmed).reduce(0) { $0 + signed($1) })
            #expect(position.fees.micros == fills.reduce(0) { $0 + $1.fee.micros } && position.fillCount == fills.count)
            let cash = fills.reduce(Int128(0)) { total, fill in
                let value = Int128(fill.size.micros) * Int128(fill.price.micros)
                return fill.side == .sell ? total + value : total - value
            }
            let signedBasis = position.book.size >= 0 ? position.book.basisPicos : -position.book.basisPicos
            #expect(position.book.realizedPicos == cash + signedBasis)
        }
        for order in orders {
            let filled = ledger.fills(orderID: order.orderID).filter { !$0.isVoided }.reduce(UInt64(0)) { $0 + $1.size.micros }
            #expect(ledger.order(order.orderID)?.filled.micros == filled)
        }

        // A fresh ledger that only ever saw the survivors, at their final status, agrees exactly.
        var fresh = S.ledger(orders)
        for id in survivors {
            guard let known = sent[id], let fill = ledger.fills.first(where: { $0.key.tradeID == id }) else { continue }
            let trade = known.trade
            _ = fresh.ingest(TradeObservation(tradeID: id, market: trade.market, status: fill.status, taker: trade.taker, makers: trade.makers,
                                              matchedAtMillis: trade.matchedAtMillis, observedAtMillis: 0, source: .rest))
        }
        #expect(fresh.positions.map(\.book) == ledger.positions.filter { $0.fillCount > 0 }.map(\.book))
        #expect(fresh.positions.map(\.confirmedBook) == ledger.positions.filter { $0.fillCount > 0 }.map(\.confirmedBook))
        #expect(fresh.positions.map(\.sellableShares) == ledger.positions.filter { $0.fillCount > 0 }.map(\.sellableShares))
    }
}
