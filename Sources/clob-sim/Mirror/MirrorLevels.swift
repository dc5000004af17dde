import PolypipeCore

/// One mirrored token's book: what the upstream displays, less what our orders already took
/// from it — the size the mirror offers at each level.
///
/// The upstream never learns of our fills, so it keeps displaying the shares we took. Rules:
/// 1. A marketable order of ours takes from the offered size; ``take(side:price:size:)`` marks
///    it consumed, so one displayed share fills us once.
/// 2. Consumed size stays until the upstream shows less than it at that level: then it is cut
///    to what is shown (the shares that left may have been ours, so we assume they were not
///    — never in our favour). A level the upstream removes forgets it.
/// 3. A new snapshot keeps what was consumed at levels it still shows, by rule 2.
///
/// Sizes and prices in micro-units. A value type.
struct MirrorLevels: Sendable, Hashable {
    /// price → size, as the upstream displays them.
    private(set) var bids: [UInt64: UInt64] = [:]
    private(set) var asks: [UInt64: UInt64] = [:]
    /// price → size our orders took, per side (BUY = bid levels).
    private(set) var consumedBids: [UInt64: UInt64] = [:]
    private(set) var consumedAsks: [UInt64: UInt64] = [:]

    /// Replaces the displayed book (a `book` message or a REST snapshot).
    mutating func replace(bids newBids: [UInt64: UInt64], asks newAsks: [UInt64: UInt64]) {
        bids = newBids.filter { $0.value > 0 }
        asks = newAsks.filter { $0.value > 0 }
        consumedBids = Self.capped(consumedBids, by: bids)
        consumedAsks = Self.capped(consumedAsks, by: asks)
    }

    /// Sets one displayed level (a `price_change` entry: the level's new total; 0 removes it).
    mutating func set(side: Side, price: UInt64, size: UInt64) {
        switch side {
        case .buy:
            bids[price] = size == 0 ? nil : size
            consumedBids = Self.capped(consumedBids, by: bids)
        case .sell:
            asks[price] = size == 0 ? nil : size
            consumedAsks = Self.capped(consumedAsks, by: asks)
        }
    }

    /// What the mirror offers at `price` on `side`: displayed less consumed.
    func offered(side: Side, price: UInt64) -> UInt64 {
        let (shown, used) = side == .buy ? (bids[price] ?? 0, consumedBids[price] ?? 0) : (asks[price] ?? 0, consumedAsks[price] ?? 0)
        return shown > used ? shown - used : 0
    }

    /// Every level with something offered: bids best (highest) first, asks best (lowest) first.
    func offeredLevels(side: Side) -> [(price: UInt64, size: UInt64)] {
        let prices = (side == .buy ? bids.keys.sorted(by: >) : asks.keys.sorted())
        return prices.compactMap { price in
            let size = offered(side: side, price: price)
            return size > 0 ? (price, size) : nil
        }
    }

    /// Our order took `size` at `price` from the `side` levels (rule 1); at most what is offered.
    /// Returns what was marked.
    @discardableResult
    mutating func take(side: Side, price: UInt64, size: UInt64) -> UInt64 {
        let taken = min(size, offered(side: side, price: price))
        guard taken > 0 else { return 0 }
        switch side {
        case .buy: consumedBids[price, default: 0] += taken
        case .sell: consumedAsks[price, default: 0] += taken
        }
        return taken
    }

    private static func capped(_ consumed: [UInt64: UInt64], by shown: [UInt64: UInt64]) -> [UInt64: UInt64] {
        consumed.reduce(into: [:]) { result, level in
            guard let size = shown[level.key] else { return }
            result[level.key] = min(level.value, size)
        }
    }
}
