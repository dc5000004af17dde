/// An order's id on the venue: the order's EIP-712 digest as `0x` + 64 hex digits (spec §1.4),
/// known before the order is sent.
///
/// The venue, the journal and the bus do not agree on letter case (`0xAB…` vs `0xab…`), so the
/// id is lower-cased once, here, when text becomes an `OrderID`; two ids compare equal exactly
/// when they name the same order. Nothing else about the text is checked: an id the venue
/// invents in another shape is still carried (and then simply matches none of ours).
///
/// Bus messages and database columns keep plain text; convert at that edge with
/// ``init(_:)`` and ``description``.
public struct OrderID: Sendable, Hashable, Comparable, CustomStringConvertible, ExpressibleByStringLiteral {
    /// The id in lower case, as journaled and published (`0xab…`).
    public let description: String

    /// Reads an id in any letter case.
    public init(_ text: some StringProtocol) {
        description = text.lowercased()
    }

    /// For tests and constants: `"0xAB12"`.
    public init(stringLiteral text: String) { self.init(text) }

    /// Whether no id was given (a rejected placement answer carries `orderID: ""`).
    public var isEmpty: Bool { description.isEmpty }

    public static func < (lhs: OrderID, rhs: OrderID) -> Bool { lhs.description < rhs.description }
}
