/// One BTC "Up or Down" window (spec §6.3): a fixed-length interval aligned to its length,
/// named by its start epoch. `btc-updown-5m-1778947200` runs 1778947200 … 1778947500.
///
/// Times are unix seconds of the **venue's** clock (which clob-sim may run faster than real
/// time, see ``VenueClock``).
public struct UpDownWindow: Sendable, Hashable, CustomStringConvertible {
    /// The window lengths Polymarket lists with epoch slugs, and the simulator's own short one.
    public enum Length: String, Sendable, CaseIterable {
        /// clob-sim only (`--windows 20s`): Polymarket lists no such window. It exists so that a
        /// one-minute paper run sees windows open and resolve on the venue's real-time clock.
        case twentySeconds = "20s"
        case fiveMinutes = "5m"
        case fifteenMinutes = "15m"

        public var seconds: Int64 {
            switch self {
            case .twentySeconds: return 20
            case .fiveMinutes: return 300
            case .fifteenMinutes: return 900
            }
        }
    }

    public let length: Length
    /// Unix seconds; always a multiple of `length.seconds`.
    public let start: Int64

    /// The window running at `unixSeconds`: start = `floor(now / len) * len`.
    public init(containing unixSeconds: Int64, length: Length) {
        self.length = length
        let seconds = length.seconds
        // Floor division that is also right for negative times (never reached in practice).
        let quotient = unixSeconds >= 0 ? unixSeconds / seconds : (unixSeconds - seconds + 1) / seconds
        start = quotient * seconds
    }

    /// The window a slug names (`btc-updown-5m-1778947200`); nil for any other text, or a start
    /// that is not on the length's grid.
    public init?(slug: String) {
        let parts = slug.split(separator: "-")
        guard parts.count == 4, parts[0] == "btc", parts[1] == "updown", let length = Length(rawValue: String(parts[2])),
              let start = Int64(parts[3]), start % length.seconds == 0 else { return nil }
        self.init(containing: start, length: length)
    }

    public var end: Int64 { start + length.seconds }

    /// The event (and market) slug, e.g. `btc-updown-15m-1778947200`.
    public var slug: String { "btc-updown-\(length.rawValue)-\(start)" }

    /// The window after this one.
    public var next: UpDownWindow { UpDownWindow(containing: end, length: length) }

    /// Seconds left at `unixSeconds` (negative once over).
    public func secondsLeft(atMillis millis: Int64) -> Double { Double(end * 1000 - millis) / 1000 }

    public var description: String { slug }
}
