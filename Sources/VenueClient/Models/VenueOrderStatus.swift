/// An order's status as the venue reports it, read once where the venue's text enters
/// (spec §4.1 placement answers, §4.3 REST orders, §5.2 user-channel `order` events).
///
/// The venue writes the same status three ways: lowercase in a `POST /order` answer (`live`),
/// prefixed on REST (`ORDER_STATUS_LIVE`) and bare on the user channel (`LIVE`). All three read
/// to the same case here, compared without regard to letter case.
///
/// Unknown is not rejected: a status this build does not know is kept verbatim as
/// ``other(_:)``, and every mapping decides what an unknown status means (usually: nothing
/// changes). The raw text also stays on the model that carried it (`statusText`), because the
/// journal and the bus record it as written.
public enum VenueOrderStatus: Sendable, Hashable, CustomStringConvertible, ExpressibleByStringLiteral {
    /// Resting on the book (`live`, `LIVE`).
    case live
    /// Filled, at least partly on entry for a placement answer; fully for an order status.
    case matched
    /// Marketable, held by the taker delay (spec §9); funds reserved, cannot be cancelled yet.
    case delayed
    /// A delayed marketable order that ended without resting: nothing crossed any more, or a
    /// FOK/FAK was killed (spec §9). In a placement answer: placed, not matched.
    case unmatched
    /// Cancelled by the venue (spec §4.3: a venue cancel comes as `INVALID` + CANCELLATION).
    case invalid
    /// `CANCELED` or `CANCELED_<why>`: `why` is the upper-cased text after `CANCELED_`
    /// (`MARKET_RESOLVED`, `EXPIRED_ORDER`, `NOT_ENOUGH_BALANCE`, even a free-text FOK kill
    /// reason), empty for a bare `CANCELED`.
    case canceled(why: String)
    /// A status this build does not know, verbatim (the empty string when the venue sent none).
    case other(String)

    /// GTD expiry (`CANCELED_EXPIRED_ORDER`).
    public static let canceledExpiredOrder = VenueOrderStatus.canceled(why: "EXPIRED_ORDER")

    /// The REST spelling's prefix (spec §4.3).
    static let restPrefix = "ORDER_STATUS_"

    /// Reads any of the venue's spellings: `live`, `LIVE`, `ORDER_STATUS_LIVE`, `Canceled_market_resolved`.
    public init(text: String) {
        let upper = text.uppercased()
        let bare = upper.hasPrefix(Self.restPrefix) ? String(upper.dropFirst(Self.restPrefix.count)) : upper
        switch bare {
        case "LIVE": self = .live
        case "MATCHED": self = .matched
        case "DELAYED": self = .delayed
        case "UNMATCHED": self = .unmatched
        case "INVALID": self = .invalid
        case "CANCELED": self = .canceled(why: "")
        case _ where bare.hasPrefix("CANCELED_"): self = .canceled(why: String(bare.dropFirst("CANCELED_".count)))
        // Every status starting with CANCELED counts as cancelled, even without the underscore.
        case _ where bare.hasPrefix("CANCELED"): self = .canceled(why: String(bare.dropFirst("CANCELED".count)))
        default: self = .other(text)
        }
    }

    /// For tests and constants: `"LIVE"`, `"delayed"`, `"ORDER_STATUS_MATCHED"`.
    public init(stringLiteral text: String) { self.init(text: text) }

    /// A status a placement answer (`POST /order`) may carry for a placed order (spec §4.1):
    /// live, matched, delayed or unmatched.
    public var isPlacement: Bool {
        switch self {
        case .live, .matched, .delayed, .unmatched: return true
        case .invalid, .canceled, .other: return false
        }
    }

    /// Ended without resting or filling further: unmatched, invalid, or any cancel.
    public var isCanceled: Bool {
        switch self {
        case .unmatched, .invalid, .canceled: return true
        case .live, .matched, .delayed, .other: return false
        }
    }

    /// The bare upper-case spelling (`LIVE`, `CANCELED_MARKET_RESOLVED`); an unknown status
    /// verbatim. `VenueOrderStatus(text:)` reads it back to the same value. Not necessarily the
    /// venue's own spelling: logs and the journal use the model's `statusText`.
    public var description: String {
        switch self {
        case .live: return "LIVE"
        case .matched: return "MATCHED"
        case .delayed: return "DELAYED"
        case .unmatched: return "UNMATCHED"
        case .invalid: return "INVALID"
        case .canceled(let why): return why.isEmpty ? "CANCELED" : "CANCELED_" + why
        case .other(let text): return text
        }
    }
}
