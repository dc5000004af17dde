import Foundation
import Synchronization

/// The simulator's clock: real time, optionally sped up (`--time-scale`, a replay's
/// `--speed`), in unix milliseconds; a replay's can be held still.
///
/// Rules:
/// - It never goes backwards.
/// - While held (``hold()``), it reads the same instant; on ``release()`` it runs on from
///   that instant — so a replay held while the stack starts loses no record to the start.
final class SimClock: Sendable {
    let scale: Double
    private struct State {
        /// The sim time at `origin`.
        var base: Int64
        var origin: ContinuousClock.Instant
        var held: Bool
    }
    private let state: Mutex<State>

    /// - Parameter startMillis: the sim time at this instant (a replay starts at its
    ///   recording's first record); now by default.
    init(scale: Double = 1, startMillis: Int64? = nil) {
        self.scale = scale
        state = Mutex(State(base: startMillis ?? Int64(Date().timeIntervalSince1970 * 1000), origin: .now, held: false))
    }

    func nowMillis() -> Int64 {
        state.withLock { Self.read($0, scale: scale) }
    }

    var isHeld: Bool { state.withLock { $0.held } }

    /// Stops the clock at the current instant.
    func hold() {
        state.withLock { state in
            guard !state.held else { return }
            state.base = Self.read(state, scale: scale)
            state.held = true
        }
    }

    /// Runs the clock on from where it was held.
    func release() {
        state.withLock { state in
            guard state.held else { return }
            state.origin = .now
            state.held = false
        }
    }

    private static func read(_ state: State, scale: Double) -> Int64 {
        guard !state.held else { return state.base }
        let elapsed = (ContinuousClock.now - state.origin).components
        let millis = Double(elapsed.seconds) * 1000 + Double(elapsed.attoseconds) / 1e15
        return state.base + Int64(millis * scale)
    }
}
