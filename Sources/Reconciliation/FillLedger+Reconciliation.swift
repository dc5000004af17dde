import PolypipeCore
import Fills
extension FillLedger {
    /// The actual side of reconciliation: every position with its provisional part and the
    /// fills of it that FAILED (ghost-fill candidates), voided ones' times included in the
    /// position's last activity.
    public var actualPositions: [ActualPosition] {
        positions.map { position in
            let keys = fillKeysByPosition[position.key] ?? []
            let failed = keys.compactMap { fillsByKey[$0] }.filter(\.isVoided).map {
                FailedFill(key: $0.key, side: $0.side, size: $0.size, price: $0.price, failedAtMillis: $0.statusChangedAtMillis)
            }
            return ActualPosition(key: position.key, size: position.size, confirmedSize: position.confirmedSize,
                                  averagePrice: position.averagePrice, lastActivityMillis: position.lastActivityMillis, failedFills: failed)
        }
    }

    /// Orders the venue has shown signs of: a fill (even a voided one), a placement answer or a
    /// venue status (stage OPEN or later). One of these that is no longer on the venue's open
    /// list has filled or ended; it is not a ``Finding/Kind/missingOrder``.
    public var venueKnownOrderIDs: Set<OrderID> {
        Set(orders.filter { $0.stage.stageRank >= OrderState.open.stageRank || !fills(orderID: $0.orderID).isEmpty }.map(\.orderID))
    }
}
