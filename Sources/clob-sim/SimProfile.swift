/// How close to the real venue the sim's markets behave. ``realistic`` is the default for the
/// served sim and for ``Venue/Configuration``; ``simple`` switches the December 2026 market
/// features off for tests that pin exact prices (one level a side, no fees, no taker delay).
///
/// Static markets (``MarketCatalog/staticSet()``) carry their own fees and delay flags and
/// are not changed by the profile, except that ``simple`` makes every market fee-free.
struct SimProfile: Sendable, Hashable {
    enum Name: String, Sendable, CaseIterable { case realistic, simple }

    let name: Name
    /// Price levels each market maker quotes per outcome (and, mirrored, per side of a book).
    let ladderLevels: Int
    /// Whether taker agents hit the books now and then.
    let takers: Bool
    /// Whether Up/Down windows charge crypto fees (``MarketFees/cryptoUpDown``); under
    /// ``simple`` no market charges anything.
    let fees: Bool
    /// Whether Up/Down windows hold marketable orders for the taker delay (`itode`).
    let takerDelay: Bool
    /// Seconds the market makers' view of the reference price lags the feed: their quotes are
    /// a little stale, as real ones are, so a fast client can pick them off.
    let quoteLagSeconds: Int64
    /// How late into each sim second a market's makers may requote (each market has its own
    /// seeded moment): a new reference price reaches a fast client before the makers move, so
    /// an order sent on it can meet a book that moves during its taker delay. 0: every market
    /// requotes at the first tick of the second.
    let requotePhaseMillis: Int64

    static let realistic = SimProfile(name: .realistic, ladderLevels: 6, takers: true, fees: true, takerDelay: true, quoteLagSeconds: 2,
                                      requotePhaseMillis: 200)
    static let simple = SimProfile(name: .simple, ladderLevels: 1, takers: false, fees: false, takerDelay: false, quoteLagSeconds: 0,
                                   requotePhaseMillis: 0)

    static func named(_ name: Name) -> SimProfile { name == .simple ? .simple : .realistic }
}
