import Foundation
import Logging
import MarketData
import PolypipeCore
import PolypipeRuntime
import VenueClient
import VenueStreams

/// An upstream venue's public data, live, as ``UpstreamRecord``s: the Up/Down windows it lists
/// (discovered on Gamma as signal-proc does, re-read every few seconds until resolved), their
/// books (REST `/book` on every market-channel (re)connect, then the channel's frames), the
/// reference price (RTDS) and the upstream's clock.
///
/// Public endpoints only: it holds no key, signs nothing and never sends an order, a cancel or
/// an authenticated request — what a mirror or a recorder must be able to promise.
///
/// ```swift
/// let feed = UpstreamFeed(endpoints: try VenueEndpoints(venue: "polymarket"), lengths: [.fiveMinutes], logger: logger)
/// for await record in feed.records() { try writer.append(record) }
/// ```
public struct UpstreamFeed: Sendable {
    public let endpoints: VenueEndpoints
    public let lengths: [UpDownWindow.Length]
    public let symbol: String
    /// How often a followed window's Gamma event is read again (the price to beat, the end).
    public var windowRefreshMillis: Int64 = 5_000
    /// How long after its end a window is still read, for its resolution.
    public var resolutionWaitMillis: Int64 = 120_000
    public let logger: Logger
    private let now: @Sendable () -> Int64

    public init(endpoints: VenueEndpoints, lengths: [UpDownWindow.Length], symbol: String = "btcusdt", logger: Logger,
                now: @escaping @Sendable () -> Int64 = { Int64(Date().timeIntervalSince1970 * 1000) }) {
        self.endpoints = endpoints
        self.lengths = lengths
        self.symbol = symbol
        self.logger = logger
        self.now = now
    }

    /// Every record, as received, until the consuming task is cancelled.
    public func records() -> AsyncStream<UpstreamRecord> {
        let (stream, continuation) = AsyncStream.makeStream(of: UpstreamRecord.self, bufferingPolicy: .bufferingNewest(1_000_000))
        let task = Task {
            await withTaskGroup(of: Void.self) { group in
                group.addTask { await followPrices(continuation) }
                for length in lengths {
                    group.addTask { await followWindows(length, continuation) }
                }
            }
            continuation.finish()
        }
        continuation.onTermination = { _ in task.cancel() }
        return stream
    }

    // MARK: Feeds

    private func followPrices(_ continuation: AsyncStream<UpstreamRecord>.Continuation) async {
        let stream = ClobStream(url: endpoints.priceFeed, channel: .prices(symbols: [symbol]), logger: logger)
        for await event in stream.events() {
            if Task.isCancelled { break }
            switch event {
            case .message(let json): continuation.yield(UpstreamRecord(receivedAtMillis: now(), kind: .price, data: json))
            default: continuation.yield(feedRecord("price", event))
            }
        }
    }

    /// Forever: the running window of `length`, its books until it ends, then the next; an
    /// ended window is still read (in the background) until it resolves.
    private func followWindows(_ length: UpDownWindow.Length, _ continuation: AsyncStream<UpstreamRecord>.Continuation) async {
        let http: Reader
        do { http = try Reader(endpoints: endpoints) } catch {
            logger.critical("cannot create the HTTP transport", metadata: ["error": "\(error)"])
            return
        }
        await withTaskGroup(of: Void.self) { resolutions in
            var lastStart: Int64 = .min
            while !Task.isCancelled {
                let seconds = await clock(http, continuation)
                let window = UpDownWindow(containing: seconds, length: length)
                guard window.start != lastStart else {
                    try? await Task.sleep(for: .milliseconds(250))
                    continue
                }
                guard let market = await discover(window, http, continuation) else { continue }
                lastStart = window.start
                await withTaskGroup(of: Void.self) { group in
                    group.addTask { await followBooks(market, http, continuation) }
                    group.addTask {
                        while !Task.isCancelled {
                            try? await Task.sleep(for: .seconds(1))
                            if await clock(http, continuation) >= window.end { break }
                        }
                    }
                    await group.next()
                    group.cancelAll()
                }
                resolutions.addTask { await followUntilResolved(window, market, http, continuation) }
            }
            resolutions.cancelAll()
        }
    }

    /// Retries (every second, five times) until Gamma lists the window; records its event.
    private func discover(_ window: UpDownWindow, _ http: Reader, _ continuation: AsyncStream<UpstreamRecord>.Continuation) async -> UpDownMarket? {
        for attempt in 1...5 where !Task.isCancelled {
            let answer = await BlockingCall.run { http.get(.gamma, "/events?slug=\(window.slug)") }
            if case .success(let json) = answer, let market = try? UpDownMarket(gammaEvents: json, window: window) {
                continuation.yield(UpstreamRecord(receivedAtMillis: now(), kind: .window, key: window.slug, data: json))
                if case .success(let terms) = await BlockingCall.run({ http.get(.clob, "/clob-markets/\(market.conditionID)") }) {
                    continuation.yield(UpstreamRecord(receivedAtMillis: now(), kind: .terms, key: market.conditionID, data: terms))
                }
                return market
            }
            logger.warning("window discovery failed", metadata: ["market.slug": "\(window.slug)", "attempt": "\(attempt)", "answer": "\(answer)"])
            try? await Task.sleep(for: .seconds(1))
        }
        return nil
    }

    /// The market channel for the window's two tokens; on every (re)connect, both books from
    /// REST first (the channel does not replay what a dropped socket missed). Meanwhile the
    /// window's event is read again every ``windowRefreshMillis``, recorded when it changed.
    private func followBooks(_ market: UpDownMarket, _ http: Reader, _ continuation: AsyncStream<UpstreamRecord>.Continuation) async {
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await refreshWindow(market.window, http, continuation, until: .max) }
            let stream = ClobStream(url: endpoints.marketSocket, channel: .market(assets: [market.upToken, market.downToken]), logger: logger)
            for await event in stream.events() {
                if Task.isCancelled { break }
                guard case .message(let json) = event else {
                    continuation.yield(feedRecord("market", event))
                    if case .connected = event { await seedBooks([market.upToken, market.downToken], http, continuation) }
                    continue
                }
                continuation.yield(UpstreamRecord(receivedAtMillis: now(), kind: .market, data: json))
            }
            group.cancelAll()
        }
    }

    private func seedBooks(_ tokens: [TokenID], _ http: Reader, _ continuation: AsyncStream<UpstreamRecord>.Continuation) async {
        for token in tokens {
            switch await BlockingCall.run({ http.get(.clob, "/book?token_id=\(token)") }) {
            case .success(let json): continuation.yield(UpstreamRecord(receivedAtMillis: now(), kind: .book, key: token.description, data: json))
            case .failure(let error): logger.warning("book seed failed", metadata: ["token.id": "\(token)", "error": "\(error)"])
            }
        }
    }

    /// Reads an ended window until it is closed or ``resolutionWaitMillis`` passed, then the
    /// CLOB's market for its winner (every 2 s until one is named, within the same wait).
    private func followUntilResolved(_ window: UpDownWindow, _ market: UpDownMarket, _ http: Reader,
                                     _ continuation: AsyncStream<UpstreamRecord>.Continuation) async {
        let deadline = window.end * 1000 + resolutionWaitMillis
        await refreshWindow(window, http, continuation, until: deadline)
        while !Task.isCancelled, now() < deadline {
            if case .success(let json) = await BlockingCall.run({ http.get(.clob, "/markets/\(market.conditionID)") }),
               case .array(let tokens)? = json["tokens"], tokens.contains(where: { $0["winner"] == .bool(true) }) {
                continuation.yield(UpstreamRecord(receivedAtMillis: now(), kind: .resolution, key: market.conditionID, data: json))
                return
            }
            try? await Task.sleep(for: .seconds(2))
        }
    }

    /// Reads the window's event every ``windowRefreshMillis`` and records it when it changed;
    /// returns once it is closed, at `until` (unix ms), or when cancelled.
    private func refreshWindow(_ window: UpDownWindow, _ http: Reader, _ continuation: AsyncStream<UpstreamRecord>.Continuation,
                               until deadline: Int64) async {
        var last: JSONValue?
        while !Task.isCancelled, now() < deadline {
            try? await Task.sleep(for: .milliseconds(windowRefreshMillis))
            guard case .success(let json) = await BlockingCall.run({ http.get(.gamma, "/events?slug=\(window.slug)") }) else { continue }
            if json != last {
                last = json
                continuation.yield(UpstreamRecord(receivedAtMillis: now(), kind: .window, key: window.slug, data: json))
            }
            if let market = try? UpDownMarket(gammaEvents: json, window: window), market.closed { return }
        }
    }

    /// The upstream's clock (unix seconds), recorded; this host's when it does not answer.
    private func clock(_ http: Reader, _ continuation: AsyncStream<UpstreamRecord>.Continuation) async -> Int64 {
        if case .success(let json) = await BlockingCall.run({ http.get(.clob, "/time") }), let seconds = json.scalarText.flatMap({ Int64($0) }) {
            continuation.yield(UpstreamRecord(receivedAtMillis: now(), kind: .clock, data: json))
            return seconds
        }
        return now() / 1000
    }

    private func feedRecord(_ feed: String, _ event: ClobStream.Event) -> UpstreamRecord {
        let text: String
        switch event {
        case .connected(let isReconnect): text = isReconnect ? "reconnected" : "connected"
        case .disconnected(let reason): text = "dropped: \(reason)"
        case .message: text = "message"
        }
        return UpstreamRecord(receivedAtMillis: now(), kind: .feed, key: feed, data: .string(text))
    }
}

/// Unauthenticated GETs on the upstream's CLOB and Gamma hosts, answers as JSON.
private struct Reader: Sendable {
    enum Host { case clob, gamma }

    // Only the base URLs are kept: each call makes its own transport, so no libcurl handle is
    // ever shared between the threads BlockingCall runs them on.
    let clob: String
    let gamma: String

    init(endpoints: VenueEndpoints) throws {
        clob = endpoints.clob
        gamma = endpoints.gamma
        _ = try CurlTransport(baseURL: clob)  // a bad URL fails here, once
    }

    func get(_ host: Host, _ target: String) -> Result<JSONValue, UpstreamReadError> {
        let base = host == .clob ? clob : gamma
        do {
            let transport = try CurlTransport(baseURL: base, timeouts: CurlTransport.Timeouts(connectMilliseconds: 2_000, totalMilliseconds: 5_000))
            let response = try transport.send(HTTPRequest(method: "GET", target: target))
            guard response.status == 200 else { return .failure(UpstreamReadError(target: target, reason: "HTTP \(response.status)")) }
            return .success(try JSONParser.parse(response.body))
        } catch {
            return .failure(UpstreamReadError(target: target, reason: "\(error)"))
        }
    }
}

/// A public read of the upstream that failed (logged; the feed retries).
struct UpstreamReadError: Error, CustomStringConvertible {
    let target: String
    let reason: String
    var description: String { "GET \(target): \(reason)" }
}
