import Foundation

/// The venue's idea of "now", in unix milliseconds.
///
/// Windows, time left and volatility are all measured on the venue's clock, not this host's:
/// clob-sim can run sim time faster than real time (`--time-scale`), and a real venue's clock
/// may differ from ours by a little. The clock is set from the venue's own timestamps (the
/// RTDS price stamps, or `GET /time` at start) and runs on the local clock in between.
///
/// Not thread-safe (a value type).
public struct VenueClock: Sendable {
    /// venue ms − local ms at the last observation.
    public private(set) var offsetMillis: Int64 = 0
    private let localNow: @Sendable () -> Int64

    /// - Parameter localNow: local unix milliseconds (injectable for tests).
    public init(localNow: @escaping @Sendable () -> Int64 = { Int64(Date().timeIntervalSince1970 * 1000) }) {
        self.localNow = localNow
    }

    /// Records that the venue's time is `venueMillis` now.
    public mutating func observe(venueMillis: Int64) {
        offsetMillis = venueMillis - localNow()
    }

    public var nowMillis: Int64 { localNow() + offsetMillis }
}
