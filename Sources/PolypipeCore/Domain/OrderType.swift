/// Time in force as the venue names it (`orderType` in the POST body, spec §4.1).
public enum OrderType: String, Sendable, Hashable, CaseIterable {
    /// Good till cancelled.
    case gtc = "GTC"
    /// Good till date: `expiration` (unix seconds) in the body.
    case gtd = "GTD"
    /// Fill or kill: all at once or nothing.
    case fok = "FOK"
    /// Fill and kill: what crosses now, the rest cancelled.
    case fak = "FAK"

    /// Post-only is only meaningful for resting orders.
    public var allowsPostOnly: Bool { self == .gtc || self == .gtd }

    /// Accepts any case ("gtc").
    public init?(text: String) {
        self.init(rawValue: text.uppercased())
    }
}
