/// Why the venue proved an order unacceptable (spec §4.1): its message, read once into the few
/// reasons exec-proc acts on.
///
/// The venue has no error codes on the wire, only messages, so the reason is recognised from
/// the text here and nowhere else. The message itself is kept verbatim in ``message``: the
/// journal, the bus and the logs carry exactly what the venue wrote.
public struct VenueRejection: Sendable, Hashable, CustomStringConvertible, ExpressibleByStringLiteral {
    /// The reasons that change what exec-proc does next.
    public enum Kind: Sendable, Hashable {
        /// The order was signed for another order version (the message contains
        /// `order_version_mismatch`, spec §1.8): read `/version` again and re-sign once.
        case orderVersionMismatch
        /// The same order (same hash) is already on the venue (`order is invalid. Duplicated.`,
        /// spec §4.1): an unknown order sent again turns out to be there after all.
        case duplicated
        /// The price breaks the market's tick (`… breaks minimum tick size rule: <tick>`,
        /// spec §2.4; any message mentioning "tick"): the cached tick size is stale.
        case invalidTickSize
        /// Anything else: final, nothing to learn from it but the message.
        case other
    }

    public let kind: Kind
    /// The venue's message, verbatim.
    public let message: String

    /// Recognises the reason in a venue message. Matching is by the same substrings exec-proc
    /// has always used — `order_version_mismatch` and `Duplicated` exactly as written, `tick`
    /// in any letter case — checked in that order when a message has more than one.
    public init(message: String) {
        self.message = message
        if message.contains("order_version_mismatch") {
            kind = .orderVersionMismatch
        } else if message.contains("Duplicated") {
            kind = .duplicated
        } else if message.lowercased().contains("tick") {
            kind = .invalidTickSize
        } else {
            kind = .other
        }
    }

    /// For tests: `.rejected(reason: "invalid signature")`.
    public init(stringLiteral message: String) { self.init(message: message) }

    /// The venue's message, verbatim.
    public var description: String { message }
}
