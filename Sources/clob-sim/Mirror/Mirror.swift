import PolypipeCore

/// clob-sim's copy of an upstream venue's public state, against which our orders trade locally
/// (`clob-sim serve --mirror` / `--replay`, ``Venue/applyUpstream(_:)``).
///
/// How the upstream's liquidity enters the engine: each token's upstream **bids**, less what
/// our orders took (``MirrorLevels``), rest in the engine as BUY orders of the mirror's own
/// account, one per level. A token's asks need no orders of their own: on a binary market an ask
/// for one outcome at p is a bid for the other at 1 − p, and the engine already matches and
/// shows the sibling's bids that way (spec §7) — so each displayed share enters exactly once.
///
/// - A marketable order of ours walks those orders, pays the market's fee and waits out its
///   taker delay like any order on the sim; what it takes is consumed (``MirrorLevels``).
/// - A resting order of ours fills when the upstream's own trading reaches it (``MirrorQueue``),
///   or when the upstream's bids move through it (the mirrored bid then matches it at once).
/// - The mirror's orders never trade with each other, and nothing is ever sent upstream.
struct Mirror: Sendable {
    /// The mirror's account (funded without limit). Its orders belong to the market
    /// (``MarketMaker/owner``): never a client's, never on a user channel.
    static let account = (try? EthereumAddress(Hex.encode(Keccak256.hash(utf8: "clob-sim mirror").suffix(20)))) ?? .zero

    var levels: [TokenID: MirrorLevels] = [:]
    var queue = MirrorQueue()
    /// The mirror's resting BUY per token and price, and the size it was placed with.
    var restingBids: [TokenID: [UInt64: (id: String, size: UInt64)]] = [:]
    /// What the upstream printed at each level since that level last changed: the part of a
    /// shrink that was trading, not cancelling (``MirrorQueue/levelChanged``).
    var printedSinceChange: [TokenID: [UInt64: UInt64]] = [:]
    /// The upstream's Gamma event list per window slug, as last read: served as is.
    var events: [String: JSONValue] = [:]
    private var counter: UInt64 = 0

    mutating func nextOrderID() -> String {
        counter += 1
        return "mirror-\(counter)"
    }
}
