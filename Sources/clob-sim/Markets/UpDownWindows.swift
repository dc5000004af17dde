import Shared

/// Rolling BTC "Up or Down" windows as Polymarket lists them (spec §6.3): one binary market per
/// window, slug `btc-updown-<5m|15m>-<start epoch>`, outcomes Up/Down, tick 0.01, minimum 5
/// shares, resolving Up when the end price is at or above the start price.
struct UpDownWindows: Sendable {
    /// Window lengths in seconds and their slug labels.
    static let lengths: [(seconds: Int64, label: String)] = [(300, "5m"), (900, "15m")]
    /// How many future windows of each length are listed ahead.
    let listedAhead = 2

    /// The markets that should exist at `now`: the running window of each length and the next ones.
    func wanted(now: Int64) -> [SimMarket] {
        var markets: [SimMarket] = []
        for (seconds, label) in Self.lengths {
            let current = now / seconds * seconds
            for index in 0...listedAhead {
                let start = current + Int64(index) * seconds
                var market = MarketCatalog.binary(slug: "btc-updown-\(label)-\(start)",
                                                  question: "Bitcoin Up or Down - \(label) window starting \(start)")
                market.window = start...(start + seconds)
                markets.append(market)
            }
        }
        return markets
    }
}
