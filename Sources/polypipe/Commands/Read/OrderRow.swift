import JournalStore
import PolypipeCore
import VenueClient

/// One order as `polypipe orders` shows it: the journal's entry, with side, price, size and
/// token read back from the signed body it holds (``OrderPayload/decode(_:)``).
struct OrderRow: Sendable, Hashable {
    let entry: Journal.Entry
    /// nil when the body does not decode (it then shows as `-`; the journal still has it).
    let side: Side?
    let tokenID: String?
    let orderType: OrderType?
    /// Shares, micro-units.
    let sizeMicros: UInt64?
    /// pUSD per share, micro-units: exact for limit orders (amounts on the tick grid); for a
    /// market order the price its amounts imply, rounded down.
    let priceMicros: UInt64?
    /// Shares filled, as fill-proc knows it (micro-units); nil when it does not know the order.
    let filledMicros: UInt64?

    init(_ entry: Journal.Entry, filledMicros: UInt64? = nil) {
        self.entry = entry
        self.filledMicros = filledMicros
        guard let json = try? JSONParser.parse(entry.body), let decoded = try? OrderPayload.decode(json) else {
            side = nil
            tokenID = nil
            orderType = nil
            sizeMicros = nil
            priceMicros = nil
            return
        }
        let order = decoded.order
        side = order.side
        tokenID = order.tokenID.description
        orderType = decoded.orderType
        // BUY gives pUSD for shares, SELL shares for pUSD.
        let (collateral, shares) = order.side == .buy ? (order.makerAmount, order.takerAmount) : (order.takerAmount, order.makerAmount)
        sizeMicros = shares.uint64Value
        if let collateral = collateral.uint64Value, let shares = shares.uint64Value, shares > 0 {
            let price = UInt128(collateral) * 1_000_000 / UInt128(shares)
            priceMicros = price <= UInt128(UInt64.max) ? UInt64(price) : nil
        } else {
            priceMicros = nil
        }
    }

    /// Orders the venue may hold (signed, accepted, unknown) first by time, then the latest
    /// others: every open order, plus up to `recent` of the latest, oldest first, each once.
    /// `filled`: shares filled by lower-case order id (fill-proc's view).
    static func listing(open: [Journal.Entry], latest: [Journal.Entry], filled: [String: UInt64] = [:]) -> [OrderRow] {
        var seen = Set<String>()
        let merged = (open + latest).filter { seen.insert($0.actionID).inserted }
        return merged.sorted { ($0.createdAtMillis, $0.orderHash) < ($1.createdAtMillis, $1.orderHash) }
            .map { OrderRow($0, filledMicros: filled[$0.orderHash.lowercased()]) }
    }
}
