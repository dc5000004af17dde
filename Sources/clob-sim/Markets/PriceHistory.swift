import PolypipeCore

/// Per-token mid prices sampled once a sim minute, for `GET /prices-history` (spec §4.4). The
/// trades themselves are not copied here: the venue reads them from the engine's trade list and
/// merges them with these samples (``Venue/priceHistoryPoints(token:from:to:)``).
///
/// Bounded: at most ``maxSamplesPerToken`` samples a token (a week of minutes); the oldest go first.
struct PriceHistory: Sendable {
    /// One point: unix seconds and a price in micro-units.
    struct Point: Sendable, Equatable {
        let second: Int64
        let price: UInt64
    }

    static let maxSamplesPerToken = 7 * 24 * 60
    private(set) var samples: [TokenID: [Point]] = [:]
    /// The sim minute last sampled (unix seconds / 60).
    private(set) var lastSampledMinute: Int64 = .min

    /// Whether a sample is due at `second` (once per minute).
    func isDue(at second: Int64) -> Bool { second / 60 != lastSampledMinute }

    /// Records the mids sampled at `second`, one per token that has both a bid and an ask.
    mutating func record(mids: [(token: TokenID, price: UInt64)], at second: Int64) {
        lastSampledMinute = second / 60
        for (token, price) in mids {
            var points = samples[token, default: []]
            points.append(Point(second: second, price: price))
            if points.count > Self.maxSamplesPerToken { points.removeFirst(points.count - Self.maxSamplesPerToken) }
            samples[token] = points
        }
    }

    /// The window a `/prices-history` query asks for, in unix seconds (both ends inclusive), and
    /// the width of one point in seconds.
    struct Query: Sendable, Equatable {
        let from: Int64
        let to: Int64
        let fidelitySeconds: Int64

        /// Reads `startTs`/`endTs` or `interval` (not both) and `fidelity` (minutes, default 1).
        /// `interval` counts back from `nowSeconds`: `1h`, `6h`, `1d`, `1w`, `1m` (a month of
        /// 30 days: the openapi lists the intervals longest first, `max, all, 1m, 1w, 1d, 6h,
        /// 1h`), and `max`/`all` for everything.
        /// - Throws: ``SimError`` 400 naming the bad parameter.
        init(_ query: [String: String], nowSeconds: Int64) throws(SimError) {
            let start = try Self.seconds(query["startTs"], name: "startTs")
            let end = try Self.seconds(query["endTs"], name: "endTs")
            if let interval = query["interval"] {
                guard start == nil && end == nil else {
                    throw .badRequest("prices-history: interval cannot be combined with startTs/endTs")
                }
                let spans: [String: Int64] = ["1h": 3_600, "6h": 21_600, "1d": 86_400, "1w": 604_800, "1m": 2_592_000, "max": Int64.max, "all": Int64.max]
                guard let span = spans[interval] else {
                    throw .badRequest("prices-history: interval must be one of 1h, 6h, 1d, 1w, 1m, max, all (got \(interval))")
                }
                from = span == Int64.max ? 0 : nowSeconds - span
                to = nowSeconds
            } else {
                from = start ?? 0
                to = end ?? nowSeconds
            }
            guard from <= to else { throw .badRequest("prices-history: startTs must not be after endTs") }
            let fidelity = query["fidelity"] ?? "1"
            guard let minutes = Int64(fidelity), minutes > 0, minutes <= 525_600 else {
                throw .badRequest("prices-history: fidelity must be a whole number of minutes from 1 to 525600 (got \(fidelity))")
            }
            fidelitySeconds = minutes * 60
        }

        private static func seconds(_ text: String?, name: String) throws(SimError) -> Int64? {
            guard let text else { return nil }
            // The openapi types them as numbers (double); whole seconds are what clients send.
            guard let value = Double(text), value.isFinite, value >= 0, value < 1e12 else {
                throw .badRequest("prices-history: \(name) must be unix seconds (got \(text))")
            }
            return Int64(value)
        }

        /// `points` (sorted by time) inside the window, keeping the last point of each
        /// fidelity-wide slot.
        func select(_ points: [Point]) -> [Point] {
            var kept: [Point] = []
            for point in points where point.second >= from && point.second <= to {
                if let last = kept.last, last.second / fidelitySeconds == point.second / fidelitySeconds {
                    kept[kept.count - 1] = point
                } else {
                    kept.append(point)
                }
            }
            return kept
        }
    }
}
