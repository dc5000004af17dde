import PolypipeCore
/// Average-cost accounting for one position, in exact integers: the engine behind
/// ``Position`` (actual, from fills) and ``PaperBook`` (paper, from accepted actions).
///
/// Units: the size is in share micro-units, signed (a SELL seen before the BUY it closes makes
/// a short that the BUY then covers, so arrival order does not change the outcome). Money is
/// kept in **picos** — units of 10⁻¹² pUSD — because a share micro-unit times a price
/// micro-unit is exactly one pico: every fill's cost is exact, with no rounding.
///
/// Rounding, the only place there is any: reducing a position by `q` of its `n` shares removes
/// `⌊basis × q / n⌋` picos of cost basis. The sub-pico remainder stays with the shares still
/// held, and closing the position to zero removes the whole remaining basis, so a position that
/// goes flat has realized exactly `Σ proceeds − Σ costs` — not one pico lost or made up.
public struct CostBasis: Sendable, Hashable {
    /// Net shares (micro-units): positive long, negative short.
    public private(set) var size: Int64 = 0
    /// What the shares held cost (long) or brought in (short), in picos; never negative.
    public private(set) var basisPicos: Int128 = 0
    /// Realized profit (positive) or loss, in picos.
    public private(set) var realizedPicos: Int128 = 0

    public init() {}

    /// Applies one trade of `shares` at `price`.
    public mutating func apply(side: Side, shares: Shares, price: Price) {
        let quantity = Int64(shares.micros)
        let signedQuantity = side == .buy ? quantity : -quantity
        guard quantity > 0 else { return }
        if size == 0 || (size > 0) == (signedQuantity > 0) {
            size += signedQuantity
            basisPicos += Int128(quantity) * Int128(price.micros)
            return
        }
        let held = size.magnitude
        let closing = min(UInt64(quantity), held)
        let removed = closing == held ? basisPicos : basisPicos * Int128(closing) / Int128(held)
        let atPrice = Int128(closing) * Int128(price.micros)
        realizedPicos += size > 0 ? atPrice - removed : removed - atPrice
        basisPicos -= removed
        size += size > 0 ? -Int64(closing) : Int64(closing)
        let opening = UInt64(quantity) - closing
        if opening > 0 {
            size = side == .buy ? Int64(opening) : -Int64(opening)
            basisPicos = Int128(opening) * Int128(price.micros)
        }
    }

    /// Closes the whole position at `payout` per share: window resolution, where a winning
    /// share pays 1 pUSD and a losing share 0.
    public mutating func settle(payout: Price) {
        let atPayout = Int128(size.magnitude) * Int128(payout.micros)
        realizedPicos += size > 0 ? atPayout - basisPicos : basisPicos - atPayout
        size = 0
        basisPicos = 0
    }

    /// Average entry price: the basis per share, rounded half up to a micro-unit; 0 when flat.
    public var averagePrice: Price {
        guard size != 0 else { return Price(micros: 0) }
        let held = Int128(size.magnitude)
        return Price(micros: UInt64((basisPicos * 2 + held) / (held * 2)))
    }

    /// Realized P&L in pUSD micro-units, floored toward −∞ (a report never overstates a profit
    /// by a fraction of a micro-unit).
    public var realized: Signed<Collateral> { Signed(micros: Self.floorToMicros(realizedPicos)) }

    /// What the position would realize if closed at `mark` (the book mid), floored like
    /// ``realized``; 0 when flat.
    public func unrealized(mark: Price) -> Signed<Collateral> {
        let atMark = Int128(size.magnitude) * Int128(mark.micros)
        return Signed(micros: Self.floorToMicros(size >= 0 ? atMark - basisPicos : basisPicos - atMark))
    }

    static func floorToMicros(_ picos: Int128) -> Int64 {
        let (quotient, remainder) = picos.quotientAndRemainder(dividingBy: 1_000_000)
        return Int64(clamping: remainder < 0 ? quotient - 1 : quotient)
    }
}
