import Fills
import PolypipeCore
import VenueClient

/// Small builders for fill-tracking tests: one market with two tokens, orders and trades in
/// micro-units, so a test reads as the scenario it checks.
enum FillScenario {
    static let market = "0x00000000000000000000000000000000000000000000000000000000000000aa"
    static let up = TokenID(UInt256(UInt64(1001)))
    static let down = TokenID(UInt256(UInt64(1002)))
    static let upKey = PositionKey(market: market, token: up)

    /// An order id shaped like an order hash (64 hex digits).
    static func orderID(_ number: Int) -> OrderID {
        OrderID(orderHash(number))
    }

    /// ``orderID(_:)`` as text, lower case (as journaled).
    static func orderHash(_ number: Int) -> String {
        let hex = String(number, radix: 16)
        return "0x" + String(repeating: "0", count: 64 - hex.count) + hex
    }

    static func order(_ number: Int, _ side: Side = .buy, size: UInt64, limit: UInt64 = 990_000, expected: UInt64? = nil,
                      token: TokenID = up, createdAt: Int64 = 1_000) -> OrderRecord {
        OrderRecord(orderID: orderID(number), actionID: "action-\(number)", market: market, token: token, side: side,
                    size: Shares(micros: size), limitPrice: Price(micros: limit), expectedPrice: expected.map { Price(micros: $0) },
                    createdAtMillis: createdAt)
    }

    static func leg(_ number: Int, _ side: Side, size: UInt64, price: UInt64, token: TokenID = up) -> TradeObservation.Leg {
        TradeObservation.Leg(orderID: orderID(number), token: token, side: side, size: Shares(micros: size), price: Price(micros: price))
    }

    /// A foreign order's leg (order ids from 9000 up are never tracked in these tests).
    static func foreignLeg(_ side: Side, size: UInt64, price: UInt64, token: TokenID = up, order number: Int = 9000) -> TradeObservation.Leg {
        leg(number, side, size: size, price: price, token: token)
    }

    static func trade(_ id: String, taker: TradeObservation.Leg, makers: [TradeObservation.Leg] = [], status: TradeStatus = .matched,
                      matchedAt: Int64 = 2_000, observedAt: Int64 = 2_100, source: TradeObservation.Source = .rest) -> TradeObservation {
        TradeObservation(tradeID: id, market: market, status: status, taker: taker, makers: makers, matchedAtMillis: matchedAt,
                         observedAtMillis: observedAt, source: source)
    }

    /// Our order `number` as the taker of `size` at `price`, against a foreign maker.
    static func takerTrade(_ id: String, order number: Int, _ side: Side, size: UInt64, price: UInt64, token: TokenID = up,
                           status: TradeStatus = .matched, matchedAt: Int64 = 2_000, observedAt: Int64 = 2_100) -> TradeObservation {
        trade(id, taker: leg(number, side, size: size, price: price, token: token),
              makers: [foreignLeg(side == .buy ? .sell : .buy, size: size, price: price, token: token)],
              status: status, matchedAt: matchedAt, observedAt: observedAt)
    }

    /// A ledger tracking `orders`, each submitted at its creation time.
    static func ledger(_ orders: [OrderRecord], configuration: FillLedger.Configuration = FillLedger.Configuration()) -> FillLedger {
        var ledger = FillLedger(configuration: configuration)
        for order in orders {
            _ = ledger.track(order)
            _ = ledger.record(.submitted, orderID: order.orderID, atMillis: order.createdAtMillis)
        }
        return ledger
    }
}
