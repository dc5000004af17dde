import Foundation
import PolypipeCore
import VenueClient

/// One sighting of a venue trade, from REST (`GET /data/trades`) or from the user channel
/// (`event_type: "trade"`): the one shape ``FillLedger`` ingests, whatever the source.
///
/// Both sources carry the same trade object (spec §4.3, §5.2), so both go through ``Trade`` and
/// differ only in ``source`` and in when we saw them. An observation holds every leg of the
/// trade, ours or not; the ledger picks our legs by order id. The taker leg is the trade's own
/// `taker_order_id`, `asset_id`, `side`, `size` and `price` (the taker's view); each maker leg is
/// one `maker_orders` entry, priced in its own token.
public struct TradeObservation: Sendable, Hashable {
    /// Where the observation came from. Only informative: REST and the user channel are equal
    /// witnesses, and the same trade from both counts once.
    public enum Source: String, Sendable, Hashable {
        case rest
        case userChannel
    }

    /// One order's part in the trade.
    public struct Leg: Sendable, Hashable {
        /// The order hash the venue wrote (an ``OrderID``: compared in lower case).
        public let orderID: OrderID
        public let token: TokenID
        public let side: Side
        public let size: Shares
        public let price: Price
        /// The fee rate the venue wrote for this leg (`fee_rate_bps`: the trade's own for the
        /// taker leg, the `maker_orders` entry's for a maker leg), as text; "" when absent. See
        /// ``FeeSchedule/reported(rateBps:)`` for how it is used.
        public let feeRateBps: String

        public init(orderID: OrderID, token: TokenID, side: Side, size: Shares, price: Price, feeRateBps: String = "") {
            self.orderID = orderID
            self.token = token
            self.side = side
            self.size = size
            self.price = price
            self.feeRateBps = feeRateBps
        }
    }

    public let tradeID: String
    /// The market's condition id.
    public let market: String
    public let status: TradeStatus
    public let taker: Leg
    public let makers: [Leg]
    /// When the venue matched the trade (unix milliseconds): `match_time` when it can be read,
    /// else the time we first saw it. `match_time` has one-second resolution on this venue.
    public let matchedAtMillis: Int64
    /// When this observation was received (unix milliseconds, our clock).
    public let observedAtMillis: Int64
    public let source: Source

    public init(tradeID: String, market: String, status: TradeStatus, taker: Leg, makers: [Leg],
                matchedAtMillis: Int64, observedAtMillis: Int64, source: Source) {
        self.tradeID = tradeID
        self.market = market
        self.status = status
        self.taker = taker
        self.makers = makers
        self.matchedAtMillis = matchedAtMillis
        self.observedAtMillis = observedAtMillis
        self.source = source
    }

    /// A parsed trade, from either source.
    /// - Parameter observedAtMillis: when it was received; also the match time when the
    ///   trade's `match_time` cannot be read.
    public init(trade: Trade, source: Source, observedAtMillis: Int64) {
        self.init(tradeID: trade.id, market: trade.market, status: trade.status,
                  taker: Leg(orderID: trade.takerOrderID, token: trade.tokenID, side: trade.side, size: trade.size, price: trade.price,
                             feeRateBps: trade.feeRateBps),
                  makers: trade.makerOrders.map { Leg(orderID: $0.orderID, token: $0.tokenID, side: $0.side, size: $0.matchedAmount, price: $0.price,
                                                      feeRateBps: $0.feeRateBps) },
                  matchedAtMillis: VenueTime.millis(trade.matchTime) ?? observedAtMillis,
                  observedAtMillis: observedAtMillis, source: source)
    }

    /// A trade object as JSON: one `GET /data/trades` page entry, or one user-channel frame.
    /// - Throws: ``ClobError/unknown(_:)`` naming the field that could not be read.
    public init(json: JSONValue, source: Source, observedAtMillis: Int64) throws(ClobError) {
        self.init(trade: try Trade(json: json), source: source, observedAtMillis: observedAtMillis)
    }
}
