import MarketData

/// Rolling BTC "Up or Down" windows as Polymarket lists them (spec §6.3): one binary market per
/// window, slug `btc-updown-<5m|15m>-<start epoch>`, outcomes Up/Down, tick 0.01, minimum 5
/// shares, resolving Up when the end price is at or above the start price.
///
/// Under the ``SimProfile/realistic`` profile each window charges crypto fees
/// (``MarketFees/cryptoUpDown``) and holds marketable orders for the taker delay, as Up/Down
/// markets do since 2026 (spec §9).
struct UpDownWindows: Sendable {
    /// The window lengths listed (5m and 15m as on Polymarket; 20s is the sim's own, for runs
    /// too short to see a 5-minute window end).
    let lengths: [UpDownWindow.Length]
    let profile: SimProfile
    /// How many future windows of each length are listed ahead.
    let listedAhead = 2

    init(lengths: [UpDownWindow.Length] = [.fiveMinutes, .fifteenMinutes], profile: SimProfile = .realistic) {
        self.lengths = lengths
        self.profile = profile
    }

    /// The markets that should exist at `now`: the running window of each length and the next ones.
    func wanted(now: Int64) -> [SimMarket] {
        var markets: [SimMarket] = []
        for length in lengths {
            let (seconds, label) = (length.seconds, length.rawValue)
            let current = now / seconds * seconds
            for index in 0...listedAhead {
                let start = current + Int64(index) * seconds
                var market = MarketCatalog.binary(slug: "btc-updown-\(label)-\(start)",
                                                  question: "Bitcoin Up or Down - \(label) window starting \(start)")
                market.window = start...(start + seconds)
                market.fees = profile.fees ? .cryptoUpDown : .free
                market.takerDelay = profile.takerDelay
                markets.append(market)
            }
        }
        return markets
    }
}
