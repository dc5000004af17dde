import Foundation

/// The simulator's clock: real time, optionally sped up (`--time-scale`), in unix milliseconds.
struct SimClock: Sendable {
    let start: Int64
    let origin: ContinuousClock.Instant
    let scale: Double

    /// - Parameter startMillis: the sim time at this instant (a replay starts at its
    ///   recording's first record); now by default.
    init(scale: Double = 1, startMillis: Int64? = nil) {
        self.start = startMillis ?? Int64(Date().timeIntervalSince1970 * 1000)
        self.origin = .now
        self.scale = scale
    }

    func nowMillis() -> Int64 {
        let elapsed = (ContinuousClock.now - origin).components
        let millis = Double(elapsed.seconds) * 1000 + Double(elapsed.attoseconds) / 1e15
        return start + Int64(millis * scale)
    }
}
