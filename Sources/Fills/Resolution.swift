import PolypipeCore
/// A market's window resolved: each winning share pays 1 pUSD, each losing share 0.
///
/// Recorded in the ledger's arrival order like a fill, so a fill voided after the resolution
/// is replayed away without moving the resolution itself.
public struct Resolution: Sendable, Hashable {
    public let sequence: Int64
    /// The market's condition id.
    public let market: String
    public let winner: TokenID
    /// When the resolution was learned (unix ms).
    public let atMillis: Int64

    public init(sequence: Int64, market: String, winner: TokenID, atMillis: Int64) {
        self.sequence = sequence
        self.market = market
        self.winner = winner
        self.atMillis = atMillis
    }

    /// 1 pUSD per share for the winning token, 0 for any other.
    public func payout(for token: TokenID) -> Price { Price(micros: token == winner ? 1_000_000 : 0) }
}
