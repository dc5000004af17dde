import PolypipeCore
/// Where a position lives: one outcome token of one market (condition id).
///
/// An Up/Down window is one market with two tokens, so it has (at most) two positions.
/// Ordered by market, then token, so reports list positions the same way every time.
public struct PositionKey: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// The market's condition id (`0x…`), as the venue writes it in trades and orders.
    public let market: String
    public let token: TokenID

    public init(market: String, token: TokenID) {
        self.market = market
        self.token = token
    }

    public static func < (lhs: PositionKey, rhs: PositionKey) -> Bool {
        if lhs.market != rhs.market { return lhs.market < rhs.market }
        return lhs.token.value < rhs.token.value
    }

    /// `market/token`, with the token id shortened to its last 8 digits for log lines.
    public var description: String { "\(market)/…\(token.description.suffix(8))" }
}
