import PolypipeCore

/// GTD expiry: the venue cancels a GTD order itself, about a minute before the `expiration`
/// signed into it (spec §2.2), and reports it `CANCELED_EXPIRED_ORDER`. exec-proc sees it at
/// the next resynchronization (`Executor+VenueSync.swift`): the order is no longer listed, its
/// lookup says expired, the journal marks it canceled, the exposure rebuilt from the venue no
/// longer counts it — and the strategy hears about it here.
extension Executor {
    /// Publishes that `order` expired on the venue: outcome CANCELED, reason "expired".
    func reportExpired(_ order: LiveOrder, venueStatus: String) {
        var report = OrderReport(order: order)
        report.outcome = .canceled
        report.venueStatus = venueStatus
        report.timeInForce = .gtd
        report.reason = Self.expiredReason
        _ = finish(report, audit: "expired")
    }

    /// The reason of the CANCELED event of a GTD order the venue expired.
    public static let expiredReason = "expired"
}
