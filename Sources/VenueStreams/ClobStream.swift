import Logging
import Synchronization
import WSClient
import PolypipeCore
import VenueClient

/// A venue WebSocket (spec §5): the market channel (books, price changes, trades by asset) or
/// the user channel (own orders and trades, authenticated in the first frame).
///
/// It keeps the connection alive the way the official SDK does — a text `PING` every 10 s, and a
/// socket that has said nothing (not even `PONG`) for 30 s is dead — and reconnects with
/// exponential backoff. After every reconnect it emits ``Event/connected(isReconnect:)`` with
/// `true`: the venue does not replay what was missed, so the caller must re-seed from REST.
public struct ClobStream: Sendable {
    public enum Channel: Sendable {
        case market(assets: [TokenID])
        case user(ApiCredentials, markets: [String])
        /// The RTDS `crypto_prices` feed (spec §5.3), e.g. `["btcusdt"]`.
        case prices(symbols: [String])
    }

    public enum Event: Sendable, Equatable {
        /// Subscribed. `isReconnect`: events may have been missed — re-seed from REST now.
        case connected(isReconnect: Bool)
        /// One venue message (a JSON array frame is split into its elements).
        case message(JSONValue)
        /// The connection ended; a reconnect follows after the backoff.
        case disconnected(reason: String)
    }

    public struct Configuration: Sendable {
        public var pingInterval: Duration = .seconds(10)
        public var deadAfter: Duration = .seconds(30)
        public var initialBackoff: Duration = .milliseconds(500)
        public var maxBackoff: Duration = .seconds(30)
        public init() {}
    }

    /// `ws://…/ws/market` or `ws://…/ws/user`.
    public let url: String
    public let channel: Channel
    public let configuration: Configuration
    private let logger: Logger

    public init(url: String, channel: Channel, configuration: Configuration = Configuration(), logger: Logger) {
        self.url = url
        self.channel = channel
        self.configuration = configuration
        self.logger = logger
    }

    /// The first frame: the subscription (and, for the user channel, the credentials).
    public var subscriptionFrame: String {
        switch channel {
        case .market(let assets):
            return JSONWriter.serialize(.object([("type", .string("market")), ("assets_ids", .array(assets.map { .string($0.description) })),
                                                 ("custom_feature_enabled", .bool(false))]))
        case .prices(let symbols):
            return JSONWriter.serialize(.object([
                ("action", .string("subscribe")),
                ("subscriptions", .array([.object([("topic", .string("crypto_prices")), ("type", .string("update")),
                                                    ("filters", .string(symbols.joined(separator: ",")))])])),
            ]))
        case .user(let credentials, let markets):
            return JSONWriter.serialize(.object([
                ("type", .string("user")),
                ("auth", .object([("apiKey", .string(credentials.apiKey)), ("secret", .string(credentials.secret)),
                                  ("passphrase", .string(credentials.passphrase))])),
                ("markets", .array(markets.map { .string($0) })),
            ]))
        }
    }

    /// Connects and keeps reconnecting until the consumer stops listening (or the task is
    /// cancelled).
    public func events() -> AsyncStream<Event> {
        AsyncStream(bufferingPolicy: .bufferingNewest(100_000)) { continuation in
            let task = Task { await run(continuation) }
            continuation.onTermination = { _ in task.cancel() }
        }
    }

    /// Shared between the connection's reader and pinger (and across reconnects for the flag).
    private final class Flag: Sendable {
        let value = Mutex(false)
    }

    private final class LastSeen: Sendable {
        let instant = Mutex(ContinuousClock.now)
        func touch() { instant.withLock { $0 = .now } }
        var age: Duration { ContinuousClock.now - instant.withLock { $0 } }
    }

    private struct DeadSocket: Error, CustomStringConvertible {
        var description: String { "no frame from the venue within the dead-socket limit" }
    }

    private func run(_ continuation: AsyncStream<Event>.Continuation) async {
        let connectedBefore = Flag()
        var attempt = 0
        while !Task.isCancelled {
            var reason = "closed by the venue"
            do {
                let frame = subscriptionFrame
                let configuration = self.configuration
                try await WebSocketClient.connect(url: url, logger: logger) { inbound, outbound, _ in
                    try await outbound.write(.text(frame))
                    let reconnect = connectedBefore.value.withLock { before in
                        defer { before = true }
                        return before
                    }
                    continuation.yield(.connected(isReconnect: reconnect))
                    let lastSeen = LastSeen()
                    try await withThrowingTaskGroup(of: Void.self) { group in
                        group.addTask {
                            while true {
                                try await Task.sleep(for: configuration.pingInterval)
                                if lastSeen.age > configuration.deadAfter { throw DeadSocket() }
                                try await outbound.write(.text("PING"))
                            }
                        }
                        group.addTask {
                            for try await message in inbound.messages(maxSize: 16 << 20) {
                                lastSeen.touch()
                                guard case .text(let text) = message, text != "PONG" else { continue }
                                switch try? JSONParser.parse(text) {
                                case .array(let items)?: for item in items { continuation.yield(.message(item)) }
                                case let value?: continuation.yield(.message(value))
                                case nil: continuation.yield(.message(.string(text)))
                                }
                            }
                        }
                        try await group.next()
                        group.cancelAll()
                    }
                }
                attempt = 0
            } catch {
                reason = "\(error)"
            }
            guard !Task.isCancelled else { break }
            continuation.yield(.disconnected(reason: reason))
            let delay = min(configuration.initialBackoff * (1 << min(attempt, 16)), configuration.maxBackoff)
            attempt += 1
            try? await Task.sleep(for: delay)
        }
        continuation.finish()
    }
}
