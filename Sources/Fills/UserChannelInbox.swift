import Logging
import Synchronization
import Bus
import PolypipeCore
import VenueClient
import VenueStreams

/// The venue's user channel (own trades and order updates), delivered to a thread that polls
/// sockets: a task reads the ``ClobStream`` and queues each message; ``wakeup`` becomes
/// readable; the owner ``take()``s them. A reconnect is reported so the owner re-reads REST
/// (the venue does not replay what a dropped socket missed).
public final class UserChannelInbox: Sendable {
    public let wakeup: Wakeup
    private let stream: ClobStream
    private let inbox = Mutex<(messages: [JSONValue], reconnected: Bool)>(([], false))
    private let task = Mutex<Task<Void, Never>?>(nil)
    private let logger: Logger

    /// - Parameter url: `ws://…/ws/user` (clob-sim) or the venue's user channel URL.
    public init?(url: String, credentials: ApiCredentials, logger: Logger) {
        guard let wakeup = try? Wakeup() else { return nil }
        self.wakeup = wakeup
        self.stream = ClobStream(url: url, channel: .user(credentials, markets: []), logger: logger)
        self.logger = logger
    }

    public func start() {
        let started = Task { [self] in
            for await event in stream.events() {
                switch event {
                case .message(let json): inbox.withLock { $0.messages.append(json) }
                case .connected(let isReconnect):
                    logger.info("user channel connected", metadata: ["reconnect": "\(isReconnect)"])
                    if isReconnect { inbox.withLock { $0.reconnected = true } }
                case .disconnected(let reason):
                    logger.notice("user channel dropped; reconnecting", metadata: ["reason": "\(reason)"])
                }
                wakeup.signal()
            }
        }
        task.withLock { $0 = started }
    }

    public func stop() { task.withLock { $0?.cancel() } }

    /// Messages since the last call, and whether the channel reconnected meanwhile.
    public func take() -> (messages: [JSONValue], reconnected: Bool) {
        wakeup.drain()
        return inbox.withLock { inbox in
            defer { inbox = ([], false) }
            return inbox
        }
    }
}
