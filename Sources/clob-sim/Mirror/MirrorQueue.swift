import PolypipeCore

/// Where each of our resting orders stands in the upstream's queue at its price, and when the
/// upstream's own trading reaches it: the standard queue-position estimate of a mirror that
/// cannot place real orders.
///
/// The rules (the README's mirror section says the same):
/// 1. An order joins behind everything the upstream displays at its price when it arrives,
///    and behind our earlier orders there.
/// 2. Volume the upstream trades at that price works through the queue from the front: what
///    is in front of an order shrinks by it, and what goes past fills the order, at its own
///    price, up to what remains. One traded share reaches one of our orders at most: two
///    orders never both fill from the same volume.
/// 3. A level that shrinks by more than what traded there lost the difference to
///    cancellations, spread evenly along the queue: what is in front of an order shrinks by the
///    same fraction (rounded so that it shrinks less — never in our favour).
/// 4. A trade at a price worse for the makers than ours (a print below our bid, above our
///    ask) went through our price, after everything in front of us: its volume fills our
///    orders there, best price first, then by arrival.
/// 5. Growth of a level (orders joining behind) changes nothing in front.
///
/// A value type, fed by the mirror in the upstream's order of events.
///
/// ```swift
/// var queue = MirrorQueue()
/// queue.join(id: "0xa", token: up, side: .buy, price: 450_000, size: 5_000_000, displayedAhead: 12_000_000)
/// queue.traded(token: up, price: 450_000, size: 15_000_000)   // [Fill(id: "0xa", size: 3_000_000)]
/// ```
struct MirrorQueue: Sendable, Hashable {
    /// A share of one of our orders the upstream's trading reached.
    struct Fill: Sendable, Hashable {
        let id: String
        let size: UInt64
    }

    struct Entry: Sendable, Hashable {
        let id: String
        let token: TokenID
        let side: Side
        let price: UInt64
        var remaining: UInt64
        /// Upstream size in front of this order (micro-shares).
        var ahead: UInt64
    }

    /// Our resting orders in arrival order.
    private(set) var entries: [Entry] = []

    /// Puts an order at the back of its level, behind `displayedAhead` of the upstream's size.
    mutating func join(id: String, token: TokenID, side: Side, price: UInt64, size: UInt64, displayedAhead: UInt64) {
        guard size > 0, !entries.contains(where: { $0.id == id }) else { return }
        entries.append(Entry(id: id, token: token, side: side, price: price, remaining: size, ahead: displayedAhead))
    }

    /// The order left the book (cancelled, filled elsewhere, expired).
    mutating func remove(id: String) {
        entries.removeAll { $0.id == id }
    }

    /// The order's remaining size changed outside the queue (it matched as a taker on entry, or
    /// partly): it keeps its place.
    mutating func setRemaining(id: String, _ remaining: UInt64) {
        guard let index = entries.firstIndex(where: { $0.id == id }) else { return }
        if remaining == 0 { entries.remove(at: index) } else { entries[index].remaining = remaining }
    }

    /// The upstream traded `size` on `token` at `price` (rules 2 and 4). Returns our fills, in
    /// queue order; filled orders leave the queue.
    mutating func traded(token: TokenID, price: UInt64, size: UInt64) -> [Fill] {
        var fills: [Fill] = []
        // Rule 4: a print through our price had everything at better prices, ours included,
        // go first; its volume reaches our orders there, best price first, then by arrival.
        var through = size
        let passed = entries.indices.filter { index in
            let entry = entries[index]
            return entry.token == token && (entry.side == .buy ? price < entry.price : price > entry.price)
        }.sorted { lhs, rhs in
            let (a, b) = (entries[lhs], entries[rhs])
            return a.price != b.price ? (a.side == .buy ? a.price > b.price : a.price < b.price) : lhs < rhs
        }
        for index in passed where through > 0 {
            let fill = min(entries[index].remaining, through)
            fills.append(Fill(id: entries[index].id, size: fill))
            entries[index].remaining -= fill
            entries[index].ahead = 0
            through -= fill
        }
        // Rule 2: at our price, through the queue from the front, with what rule 4 left (the
        // orders at better prices were in front). Only one side rests at a price of an
        // uncrossed book, so the print consumed the level our orders there are in.
        let atPrice = through
        var toOurs: UInt64 = 0
        for index in entries.indices where entries[index].token == token && entries[index].price == price && entries[index].remaining > 0 {
            var entry = entries[index]
            // What reached this order's part of the queue: the print, less what ours before it took.
            let reaching = atPrice > toOurs ? atPrice - toOurs : 0
            let past = reaching > entry.ahead ? reaching - entry.ahead : 0
            entry.ahead = entry.ahead > reaching ? entry.ahead - reaching : 0
            let fill = min(entry.remaining, past)
            if fill > 0 {
                fills.append(Fill(id: entry.id, size: fill))
                entry.remaining -= fill
                toOurs += fill
            }
            entries[index] = entry
        }
        entries.removeAll { $0.remaining == 0 }
        return fills
    }

    /// The upstream's level at `price` went from `before` to `after` while `traded` of it
    /// traded (rule 3: the rest of a shrink is cancellations; rule 5: growth is behind us).
    mutating func levelChanged(token: TokenID, side: Side, price: UInt64, before: UInt64, after: UInt64, traded: UInt64) {
        let gone = before > after ? before - after : 0
        let cancelled = gone > traded ? gone - traded : 0
        guard cancelled > 0, before > 0 else { return }
        for index in entries.indices where entries[index].token == token && entries[index].side == side && entries[index].price == price {
            let ahead = entries[index].ahead
            // Shrinks by ahead × cancelled / before, rounded down (so it shrinks less).
            let shrink = UInt64(UInt128(ahead) * UInt128(min(cancelled, before)) / UInt128(before))
            entries[index].ahead = ahead - min(ahead, shrink)
        }
    }

    /// The entry for `id`, if it is queued.
    func entry(_ id: String) -> Entry? { entries.first { $0.id == id } }
}
