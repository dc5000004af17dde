import VenueClient
/// Something that happened to one of our orders, other than a fill: from exec-proc's order
/// events, or from the venue's order status (REST `GET /data/order`, user channel `order`).
public enum OrderEvent: Sendable, Hashable {
    /// Sent to the venue. Its time starts the fill-latency clock (the earliest one counts).
    case submitted
    /// The venue placed it (answer `live`, `delayed` or `matched`).
    case accepted
    /// The venue proved it will not place it.
    case rejected(reason: String)
    case cancelled
    case expired
    /// A venue order status (any spelling, read once by ``VenueOrderStatus``); see
    /// ``init(venueStatus:)``.
    case venueStatus(VenueOrderStatus)

    /// Maps a venue order status (spec §4.3, §5.2) onto an event: `LIVE`, `DELAYED` and
    /// `MATCHED` → accepted (a MATCHED order's fills arrive as trades); `CANCELED_EXPIRED_ORDER`
    /// → expired; `UNMATCHED` (a delayed marketable order that ended without resting: nothing
    /// crossed any more, or a FOK/FAK was killed; spec §9), any other `CANCELED…` and `INVALID`
    /// → cancelled. Nil for a status this build does not know (``VenueOrderStatus/other(_:)``:
    /// it changes nothing).
    ///
    /// The answer to `POST /order` also uses `unmatched`; that is a placement outcome, read by
    /// ``SubmitOutcome``, not an order status.
    public init?(venueStatus status: VenueOrderStatus) {
        switch status {
        case .live, .delayed, .matched: self = .accepted
        case .unmatched: self = .cancelled
        case .canceledExpiredOrder: self = .expired
        case .invalid, .canceled: self = .cancelled
        case .other: return nil
        }
    }
}
