import PolypipeCore
/// What we hold of one outcome token, as the surviving fills say: a snapshot built by
/// ``FillLedger`` by replaying, in arrival order, every fill that is not voided and every
/// resolution of the market.
///
/// Provisional and confirmed shares are kept apart (spec §4.3: only CONFIRMED is final). The
/// position proper — size, average price, realized P&L — counts every surviving fill, because
/// a MATCHED fill is the venue's best knowledge; ``confirmedSize`` and ``sellableShares`` count
/// only what can no longer be voided, for whoever must not sell shares that may vanish
/// (test matrix SET-03, SET-07).
///
/// All money is pUSD micro-units; all sizes share micro-units (see ``CostBasis`` for rounding).
public struct Position: Sendable, Hashable {
    public let key: PositionKey
    /// Every surviving fill, provisional ones included.
    public let book: CostBasis
    /// Only CONFIRMED fills (and resolutions).
    public let confirmedBook: CostBasis
    /// Fees of the surviving fills (see ``FeeSchedule``), already taken off ``realizedPnL``.
    public let fees: Collateral
    /// Surviving fills that built this position.
    public let fillCount: Int
    /// Shares that may be sold without relying on a fill that could still fail: CONFIRMED
    /// fills less every provisional SELL (a provisional BUY may vanish, a provisional SELL has
    /// already committed its shares), never negative.
    public let sellableShares: Shares
    /// Latest match, status change or resolution of any fill here, voided ones included (unix
    /// ms): what a reconciliation grace period counts from.
    public let lastActivityMillis: Int64
    /// Whether the market resolved (the position was closed at 1 or 0 per share).
    public let isResolved: Bool

    public init(key: PositionKey, book: CostBasis, confirmedBook: CostBasis, sellableShares: Shares, fees: Collateral, fillCount: Int,
                lastActivityMillis: Int64, isResolved: Bool) {
        self.key = key
        self.book = book
        self.confirmedBook = confirmedBook
        self.sellableShares = sellableShares
        self.fees = fees
        self.fillCount = fillCount
        self.lastActivityMillis = lastActivityMillis
        self.isResolved = isResolved
    }

    /// Net shares from every surviving fill.
    public var size: Signed<Shares> { Signed(micros: book.size) }
    /// Net shares from CONFIRMED fills only.
    public var confirmedSize: Signed<Shares> { Signed(micros: confirmedBook.size) }
    /// Shares that still depend on provisional fills (may be negative: a provisional SELL).
    public var provisionalSize: Signed<Shares> { size - confirmedSize }
    public var averagePrice: Price { book.averagePrice }
    /// Realized P&L net of fees: what reductions and resolution realized, less every fee the
    /// surviving fills paid (a fee is realized when the fill pays it, whether it opened or
    /// closed shares). A voided fill's fee is gone with it.
    ///
    /// Maker rebates are not in it: the venue pays them daily out of a pool shared by all makers
    /// (docs "Maker Rebates Program", spec §2.5 `rebateRate`), not per fill, so no fill carries
    /// one; a fill of ours as maker on a taker-only market pays a fee of 0.
    public var realizedPnL: Signed<Collateral> { book.realized - Signed(fees) }
    /// Realized P&L before fees.
    public var grossRealizedPnL: Signed<Collateral> { book.realized }
    public var isOpen: Bool { book.size != 0 }

    /// Unrealized P&L with the position marked to `mark` (the book mid).
    public func unrealizedPnL(mark: Price) -> Signed<Collateral> { book.unrealized(mark: mark) }
}
