import PolypipeCore

/// The rules of the two order kinds that carry more than a price and a size: GTD orders (an
/// expiry) and market BUYs by amount (pUSD to spend). Each is checked before anything is
/// signed, and each refusal says which field was wrong and why.
extension ActionValidator {
    /// The venue cancels a GTD order about a minute before its signed `expiration` (spec §2.2:
    /// "to expire in N s send now + 60 + N"), so the expiration signed is the strategy's
    /// `expires_at_ms` plus this margin.
    public static let gtdSecurityMarginSeconds: UInt64 = 60
    /// The newer SDKs refuse a GTD expiry earlier than now + 180 s (spec §9), and so does
    /// exec-proc: an order that would live less than that is refused unsigned.
    public static let gtdMinimumLeadMillis: Int64 = 180_000
    /// A marketable BUY must spend at least $1 (spec §2.4; the venue answers
    /// `invalid amount for a marketable BUY order`).
    public static let minimumMarketBuy = Collateral(micros: 1_000_000)

    /// The `expiration` (unix seconds) signed for a GTD order the strategy wants off the book at
    /// `expiresAtMillis`: its second, plus ``gtdSecurityMarginSeconds``.
    public static func gtdExpiration(expiresAtMillis: Int64) -> UInt64 {
        UInt64(max(0, expiresAtMillis) / 1000) + gtdSecurityMarginSeconds
    }

    /// GTD needs `expires_at_ms` at least ``gtdMinimumLeadMillis`` ahead; no other order type
    /// may carry one (it would be silently ignored otherwise).
    static func checkExpiry(_ action: ExecAction, nowMillis: Int64) throws(Refusal) {
        guard action.timeInForce == .gtd else {
            guard action.gtdExpiresAtMillis == 0 else {
                throw Refusal("expires_at_ms is set (\(action.gtdExpiresAtMillis)) but time_in_force is not GTD")
            }
            return
        }
        guard action.gtdExpiresAtMillis > 0 else { throw Refusal("GTD order without expires_at_ms: a GTD order needs its expiry (unix ms)") }
        guard action.gtdExpiresAtMillis >= nowMillis + gtdMinimumLeadMillis else {
            throw Refusal("GTD expires_at_ms \(action.gtdExpiresAtMillis) is \(action.gtdExpiresAtMillis - nowMillis) ms from now; it must be at least \(gtdMinimumLeadMillis / 1000) s ahead (spec §9)")
        }
    }

    /// A market order by amount is a FOK or FAK BUY that spends `amount_micros` (at least $1)
    /// up to the worst price `limit_price_micros`; its size is left 0 (spec §2.3). A SELL is
    /// always by size (shares), and a resting order (GTC/GTD) by size too.
    static func checkAmount(_ action: ExecAction) throws(Refusal) {
        guard action.sizeMicros == 0 else {
            throw Refusal("both size_micros (\(action.sizeMicros)) and amount_micros (\(action.amountMicros)) are set: an order is by size or by amount, not both")
        }
        guard action.side == .buy else { throw Refusal("amount_micros is for market BUYs only: a SELL is by size_micros (shares)") }
        guard action.timeInForce == .fok || action.timeInForce == .fak else {
            throw Refusal("amount_micros is for market orders (FOK or FAK); a GTC or GTD order is by size_micros")
        }
        guard action.amountMicros >= minimumMarketBuy.micros else {
            throw Refusal("amount_micros \(action.amountMicros) is below the $1 minimum of a marketable BUY (spec §2.4)")
        }
    }
}
