import Synchronization

/// Fans venue events out to WebSocket subscribers (spec §5): market subscribers by asset id,
/// user subscribers by API key (and optionally market).
///
/// Thread safety: the subscriber table sits behind a mutex; each subscriber's continuation is
/// itself thread-safe.
final class Broadcaster: Sendable {
    enum Channel: Sendable, Equatable {
        case market(assets: Set<String>)
        /// The trading keys whose events this subscriber receives (one, or an account's for a
        /// read-only key).
        case user(apiKeys: Set<String>, markets: Set<String>)
        /// The RTDS price feed (spec §5.3): symbols subscribed to on `crypto_prices`.
        case prices(symbols: Set<String>)
    }

    private struct Subscriber {
        var channel: Channel
        let continuation: AsyncStream<String>.Continuation
    }

    private let state = Mutex<(next: Int, subscribers: [Int: Subscriber])>((0, [:]))

    /// Registers a connection; its frames arrive on the returned stream.
    func add(_ channel: Channel) -> (id: Int, frames: AsyncStream<String>) {
        let (stream, continuation) = AsyncStream<String>.makeStream(bufferingPolicy: .bufferingNewest(10_000))
        let id = state.withLock { state in
            state.next += 1
            state.subscribers[state.next] = Subscriber(channel: channel, continuation: continuation)
            return state.next
        }
        return (id, stream)
    }

    func update(_ id: Int, _ channel: Channel) {
        state.withLock { $0.subscribers[id]?.channel = channel }
    }

    func remove(_ id: Int) {
        let removed = state.withLock { $0.subscribers.removeValue(forKey: id) }
        removed?.continuation.finish()
    }

    /// Sends `frame` to `id` only (snapshots, PONG).
    func send(_ frame: String, to id: Int) {
        state.withLock { $0.subscribers[id] }?.continuation.yield(frame)
    }

    func publishMarket(asset: String, _ frame: String) {
        let targets = state.withLock { state in
            state.subscribers.values.filter { if case .market(let assets) = $0.channel { return assets.contains(asset) }; return false }
        }
        for target in targets { target.continuation.yield(frame) }
    }

    func publishUser(apiKey: String, market: String, _ frame: String) {
        let targets = state.withLock { state in
            state.subscribers.values.filter {
                if case .user(let keys, let markets) = $0.channel { return keys.contains(apiKey) && (markets.isEmpty || markets.contains(market)) }
                return false
            }
        }
        for target in targets { target.continuation.yield(frame) }
    }

    func publishPrice(symbol: String, _ frame: String) {
        let targets = state.withLock { state in
            state.subscribers.values.filter { if case .prices(let symbols) = $0.channel { return symbols.contains(symbol) }; return false }
        }
        for target in targets { target.continuation.yield(frame) }
    }

    /// Ends every connection (the admin API's "drop WebSockets" fault).
    func dropAll() {
        let all = state.withLock { state in
            defer { state.subscribers.removeAll() }
            return Array(state.subscribers.values)
        }
        for subscriber in all { subscriber.continuation.finish() }
    }

    var count: Int { state.withLock { $0.subscribers.count } }
}
