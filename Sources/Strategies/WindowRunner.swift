import Foundation
import Logging
import MarketData
import PolypipeCore
import PolypipeRuntime
import VenueClient
import VenueStreams
import Bus

/// Runs a strategy live over the Up/Down windows (``FairValueStrategy``, ``MarketMakerStrategy``):
/// discovers the current window on Gamma, keeps its two books from the market WebSocket
/// (re-seeded from REST `/book` on every (re)connect), follows the RTDS reference price and its
/// realized volatility, asks the strategy on every book change, every answer about its orders
/// (when it wants them: ``ManagingStrategy/wantsFeedback``, through ``FeedbackIntake``) and every
/// 250 ms, and sends its commands through the ``ActionOutlet``. When the window ends (on the
/// venue's clock, `GET /time`) it rolls to the next one.
///
/// Everything that mutates state happens in the one loop of ``run(outlet:context:layout:onReady:)``;
/// the feeds are child tasks that only forward events. Returns when its task is cancelled.
public struct WindowRunner: Sendable {
    public struct Endpoints: Sendable {
        /// CLOB REST base, e.g. `http://127.0.0.1:8080`.
        public var venue: String
        /// Gamma REST base (clob-sim serves `/events` on the venue port).
        public var gamma: String
        /// `ws://…/ws/market`.
        public var marketSocket: String
        /// `ws://…/rtds`.
        public var priceSocket: String

        public init(venue: String, gamma: String, marketSocket: String, priceSocket: String) {
            self.venue = venue
            self.gamma = gamma
            self.marketSocket = marketSocket
            self.priceSocket = priceSocket
        }
    }

    public let endpoints: Endpoints
    public let length: UpDownWindow.Length
    /// Makes the strategy (once, when the run starts).
    public let makeStrategy: @Sendable () -> any ManagingStrategy
    /// The RTDS symbol of the reference price.
    public let symbol: String
    public let logger: Logger

    public init(endpoints: Endpoints, length: UpDownWindow.Length, symbol: String = "btcusdt", logger: Logger,
                strategy makeStrategy: @escaping @Sendable () -> any ManagingStrategy) {
        self.endpoints = endpoints
        self.length = length
        self.makeStrategy = makeStrategy
        self.symbol = symbol
        self.logger = logger
    }

    enum Input: Sendable {
        case window(UpDownMarket)
        case market(ClobStream.Event)
        case price(ClobStream.Event)
        case snapshot(OrderBookSummary)
        case feedback(StrategyFeedback)
        case tick
    }

    /// - Parameters:
    ///   - context, layout: for the subscriptions to exec-proc's and fill-proc's events.
    ///   - onReady: called once the feeds are started (the launcher's `ready`).
    public func run(outlet: ActionOutlet, context: ZmqContext, layout: BusLayout, onReady: () -> Void) async {
        let (inputs, continuation) = AsyncStream.makeStream(of: Input.self, bufferingPolicy: .bufferingNewest(100_000))
        let strategy = makeStrategy()
        let intake = strategy.wantsFeedback ? FeedbackIntake.start(context: context, layout: layout, logger: logger) : nil
        defer { intake?.stopAndJoin() }
        await withTaskGroup(of: Void.self) { group in
            if let intake {
                group.addTask {
                    for await feedback in intake.feedback { continuation.yield(.feedback(feedback)) }
                }
            }
            group.addTask {
                let stream = ClobStream(url: endpoints.priceSocket, channel: .prices(symbols: [symbol]), logger: logger)
                for await event in stream.events() { continuation.yield(.price(event)) }
            }
            group.addTask {
                while !Task.isCancelled {
                    try? await Task.sleep(for: .milliseconds(250))
                    continuation.yield(.tick)
                }
            }
            group.addTask { await driveWindows(continuation) }
            onReady()
            await consume(inputs, strategy: strategy, outlet: outlet)
            group.cancelAll()
        }
    }

    // MARK: The decision loop

    private func consume(_ inputs: AsyncStream<Input>, strategy: any ManagingStrategy, outlet: ActionOutlet) async {
        var strategy = strategy
        var clock = VenueClock()
        var volatility = RealizedVolatility()
        var spot: SpotPrice?
        var market: UpDownMarket?
        var books = OrderBooks(tokens: [])
        var malformed: UInt64 = 0
        for await input in inputs {
            if Task.isCancelled { break }
            switch input {
            case .window(let next):
                if market?.conditionID != next.conditionID { books = OrderBooks(tokens: [next.upToken, next.downToken]) }
                market = next
                logger.info("window ready", metadata: [
                    "market.slug": "\(next.window.slug)", "market.id": "\(next.conditionID)",
                    "market.price_to_beat": "\(next.priceToBeat.map { $0.description } ?? "unknown")",
                    "market.end": "\(next.end)", "market.accepting_orders": "\(next.acceptingOrders)",
                ])
            case .snapshot(let summary):
                books.apply(summary)
            case .price(.message(let json)):
                do {
                    let update = try PriceFeedUpdate(json: json)
                    guard update.symbol == symbol else { continue }
                    spot = update.price
                    clock.observe(venueMillis: update.timestampMillis)
                    volatility.add(update.price, atMillis: update.timestampMillis)
                    logger.trace("reference price", metadata: ["price.value": "\(update.price)", "price.timestamp_ms": "\(update.timestampMillis)"])
                } catch MarketDataError.unsupported {
                    continue
                } catch {
                    malformed += 1
                    outlet.metrics.malformed(feed: "rtds")
                    logger.warning("malformed price message", metadata: ["error": "\(error)", "feed.malformed_total": "\(malformed)"])
                }
                continue
            case .market(.message(let json)):
                do {
                    books.apply(try MarketEvent(json: json))
                } catch MarketDataError.unsupported {
                    continue
                } catch {
                    malformed += 1
                    outlet.metrics.malformed(feed: "market")
                    logger.warning("malformed market message", metadata: ["error": "\(error)", "feed.malformed_total": "\(malformed)"])
                    continue
                }
            case .market(.disconnected(let reason)), .price(.disconnected(let reason)):
                outlet.metrics.disconnected(feed: input.feedName)
                if case .market = input {
                    // Missed updates cannot be replayed: trade on nothing until a fresh snapshot.
                    books.invalidateAll()
                }
                logger.warning("feed disconnected", metadata: ["feed": "\(input.feedName)", "reason": "\(reason)"])
                continue
            case .market(.connected(let again)), .price(.connected(let again)):
                logger.info("feed connected", metadata: ["feed": "\(input.feedName)", "feed.reconnect": "\(again)"])
                continue
            case .feedback(let feedback):
                strategy.observe(feedback)
                logger.debug("feedback", metadata: ["feedback": "\(feedback)"])
            case .tick:
                break
            }
            guard let market else { continue }
            let state = MarketState(market: market, upBook: books[market.upToken], downBook: books[market.downToken], spot: spot,
                                    sigmaPerSqrtSecond: volatility.sigmaPerSqrtSecond, nowMillis: clock.nowMillis,
                                    wallClockMillis: BusClock.nowMillis())
            for command in strategy.commands(for: state) {
                logger.debug("decision", metadata: [
                    "command.id": "\(command.id)", "strategy": "\(strategy.name)",
                    "model.sigma": "\(state.sigmaPerSqrtSecond.map { String(format: "%.3e", $0) } ?? "-")",
                    "price.spot": "\(spot?.description ?? "-")",
                ])
                outlet.send(command)
            }
        }
    }

    // MARK: Windows and their market feed

    /// Forever: find the running window, publish it, follow its books until it ends, roll.
    private func driveWindows(_ continuation: AsyncStream<Input>.Continuation) async {
        let gamma: GammaClient
        let clob: ClobClient
        do {
            let timeouts = CurlTransport.Timeouts(connectMilliseconds: 2_000, totalMilliseconds: 5_000)
            gamma = GammaClient(transport: try CurlTransport(baseURL: endpoints.gamma, timeouts: timeouts))
            clob = ClobClient(transport: try CurlTransport(baseURL: endpoints.venue, timeouts: timeouts), chain: .polygon)
        } catch {
            logger.critical("cannot create the HTTP transport", metadata: ["error": "\(error)"])
            return
        }
        while !Task.isCancelled {
            let now = await venueSeconds(clob)
            let window = UpDownWindow(containing: now, length: length)
            guard let market = await discover(window, gamma: gamma) else { continue }
            continuation.yield(.window(market))
            await withTaskGroup(of: Void.self) { group in
                group.addTask { await followBooks(market, clob: clob, continuation) }
                if market.priceToBeat == nil {
                    group.addTask { await awaitPriceToBeat(window, gamma: gamma, continuation) }
                }
                group.addTask {
                    // The window ends on the venue's clock; ask it once a second.
                    while !Task.isCancelled {
                        try? await Task.sleep(for: .seconds(1))
                        if await venueSeconds(clob) >= window.end { break }
                    }
                }
                await group.next()
                // Either the window ended or (rarely) a feed stopped: roll on in both cases.
                group.cancelAll()
            }
            if Task.isCancelled { break }
            logger.info("window over", metadata: ["market.slug": "\(window.slug)"])
        }
    }

    /// Retries (every second) until Gamma lists the window.
    private func discover(_ window: UpDownWindow, gamma: GammaClient) async -> UpDownMarket? {
        var attempt = 0
        while !Task.isCancelled {
            let result = await BlockingCall.run { () -> Result<UpDownMarket, MarketDataError> in
                do throws(MarketDataError) { return .success(try gamma.upDownMarket(window)) } catch { return .failure(error) }
            }
            switch result {
            case .success(let market): return market
            case .failure(let error):
                attempt += 1
                logger.warning("window discovery failed", metadata: ["market.slug": "\(window.slug)", "error": "\(error)", "attempt": "\(attempt)"])
                try? await Task.sleep(for: .seconds(1))
                if attempt >= 5 { return nil }  // the window may have rolled meanwhile: recompute it
            }
        }
        return nil
    }

    /// Gamma fills `priceToBeat` a little after the window opens: poll every 2 s until it is there.
    private func awaitPriceToBeat(_ window: UpDownWindow, gamma: GammaClient, _ continuation: AsyncStream<Input>.Continuation) async {
        while !Task.isCancelled {
            try? await Task.sleep(for: .seconds(2))
            let market = await BlockingCall.run { try? gamma.upDownMarket(window) }
            if let market, market.priceToBeat != nil {
                continuation.yield(.window(market))
                return
            }
        }
    }

    /// The market WebSocket for the window's two tokens; on every (re)connect, both books are
    /// re-seeded from REST `/book`.
    private func followBooks(_ market: UpDownMarket, clob: ClobClient, _ continuation: AsyncStream<Input>.Continuation) async {
        let stream = ClobStream(url: endpoints.marketSocket, channel: .market(assets: [market.upToken, market.downToken]), logger: logger)
        for await event in stream.events() {
            continuation.yield(.market(event))
            guard case .connected = event else { continue }
            for token in [market.upToken, market.downToken] {
                let result = await BlockingCall.run { () -> Result<OrderBookSummary, ClobError> in
                    do throws(ClobError) { return .success(try clob.book(token)) } catch { return .failure(error) }
                }
                switch result {
                case .success(let summary): continuation.yield(.snapshot(summary))
                case .failure(let error): logger.warning("book seed failed", metadata: ["token.id": "\(token)", "error": "\(error)"])
                }
            }
        }
    }

    /// The venue's clock (`GET /time`), or this host's when the venue does not answer.
    private func venueSeconds(_ clob: ClobClient) async -> Int64 {
        let answer = await BlockingCall.run { try? clob.serverTime() }
        return answer ?? Int64(Date().timeIntervalSince1970)
    }
}

extension WindowRunner.Input {
    var feedName: String {
        switch self {
        case .market: return "market"
        case .price: return "rtds"
        default: return "internal"
        }
    }
}
