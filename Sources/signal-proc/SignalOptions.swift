import ArgumentParser
import PolypipeMetrics
import Foundation
import Logging
import MarketData
import PolypipeCore
import Strategies
import VenueClient

/// signal-proc's command-line options, with the checks that run before anything starts.
struct SignalOptions: ParsableArguments {
    enum StrategyKind: String, ExpressibleByArgument, CaseIterable {
        case fairValue = "fair-value", marketMaker = "market-maker", external, replay
    }

    @Option(help: "The venue: 'polymarket' (Polymarket's production hosts: CLOB, market WebSocket, Gamma, price feed) or a simulator's base URL, from which the market WebSocket (ws://…/ws/market), the RTDS price feed (ws://…/rtds) and Gamma (/events) are derived.")
    var venue: String = "http://127.0.0.1:8080"

    @Option(help: "Gamma API base URL for window discovery (default: the venue URL; clob-sim serves /events itself).")
    var gamma: String?

    @Option(help: "Market WebSocket URL (default: the venue URL with ws:// and /ws/market).")
    var marketWs: String?

    @Option(help: "RTDS price-feed WebSocket URL (default: the venue URL with ws:// and /rtds).")
    var rtdsWs: String?

    @Option(help: "Runtime directory holding the bus sockets (exec/actions.sock is dialled, signal/signals.sock and signal/external.sock are bound). Default: $RUNTIME_DIRECTORY.")
    var runtimeDir: String?

    @Option(help: "Which strategy proposes actions: fair-value (BTC Up/Down model, default), market-maker (post-only bids on both outcomes around the fair value, requoted with replace, pulled before the window ends), external (actions pushed to signal/external.sock), replay (a JSON-lines file).")
    var strategy: StrategyKind = .fairValue

    @Option(help: "JSON-lines file of actions for --strategy replay (format: see ReplayFile in Sources/Strategies).")
    var replayFile: String?

    @Flag(inversion: .prefixedNo, help: "Replay: wait between lines as their created_at_ms offsets say (otherwise send at once).")
    var replayPacing = true

    @Option(help: "Replay clock: relative (created_at_ms are offsets from the first line; a restart plays the file again) or wall (created_at_ms are Unix times: each line is sent at its time, lines whose TTL ran out are skipped, so a restart resumes the schedule).")
    var replayClock: String = "relative"

    @Option(help: "Fair-value: shares per action (decimal, e.g. 10).")
    var size: String = "10"

    @Option(help: "Fair-value: margin below model value required to buy, as a price (e.g. 0.01).")
    var edge: String = "0.01"

    @Option(help: "Fair-value: expected fee per share, as a price, added to the margin (e.g. 0.005).")
    var fee: String = "0"

    @Option(help: "Fair-value: how far above the best ask the limit price may go, as a price (e.g. 0.02; 0 = the ask). The limit always stays below the model value minus edge and fee.")
    var maxSlippage: String = "0"

    @Option(help: "Milliseconds an action stays valid after it is made (exec-proc refuses it later).")
    var ttlMs: Int64 = 5_000

    @Option(help: "Fair-value: window length to trade, 5m or 15m (or 20s, which only clob-sim lists, with --windows 20s).")
    var window: String = "5m"

    @Option(help: "Fair-value: seconds before a window's end after which no new action is made.")
    var stopBeforeEnd: Double = 15

    @Option(help: "Fair-value: seconds between two decisions on the same token (at most one open decision per token per cooldown).")
    var cooldown: Double = 10

    @Option(help: "Fair-value: time in force of the orders, GTC, FOK or FAK.")
    var timeInForce: String = "GTC"

    @Option(help: "Market maker: distance of each bid below its outcome's fair value, as a price (e.g. 0.02).")
    var mmHalfSpread: String = "0.02"

    @Option(help: "Market maker: how far a bid's target must move before it is replaced, as a price (e.g. 0.01).")
    var mmRequote: String = "0.01"

    @Option(help: "Market maker: price skew per share of net inventory (Up shares − Down shares), as a price (e.g. 0.001).")
    var mmSkew: String = "0.001"

    @Option(help: "Market maker: net shares on one outcome past which that side is no longer quoted.")
    var mmMaxInventory: String = "50"

    @Option(help: "Market maker: seconds before a window's end when every quote is cancelled.")
    var mmPullBeforeEnd: Int64 = 30

    @Option(help: "Market maker: milliseconds between two commands for the same quote (the rate budget).")
    var mmMinIntervalMs: Int64 = 1_000

    @Option(help: "Log level: trace, debug, info, notice, warning, error or critical. Logs go to stderr.")
    var logLevel: String = "info"

    @Option(help: ArgumentHelp("Serve Prometheus metrics at http://ADDRESS/metrics (loopback only: 127.0.0.1:PORT, port 0 for any free one). Default: not served.", valueName: "address"))
    var metricsAddress: String?

    func validate() throws {
        do { _ = try VenueEndpoints(venue: venue) } catch { throw ValidationError(error.description + ".") }
        if let metricsAddress { do { _ = try LoopbackAddress(metricsAddress) } catch { throw ValidationError("\(error)") } }
        guard resolvedRuntimeDirectory != nil else { throw ValidationError("--runtime-dir is required when $RUNTIME_DIRECTORY is not set.") }
        guard let size = try? Shares(size), size.micros > 0 else { throw ValidationError("--size must be a positive share amount like 10 or 5.5, got \(size).") }
        guard let edge = try? Price(edge), edge.micros < 1_000_000 else { throw ValidationError("--edge must be a price in [0, 1) like 0.01, got \(edge).") }
        guard let fee = try? Price(fee), fee.micros < 1_000_000 else { throw ValidationError("--fee must be a price in [0, 1) like 0.005, got \(fee).") }
        guard let slippage = try? Price(maxSlippage), slippage.micros < 1_000_000 else { throw ValidationError("--max-slippage must be a price in [0, 1) like 0.02, got \(maxSlippage).") }
        guard ttlMs > 0 else { throw ValidationError("--ttl-ms must be positive.") }
        guard UpDownWindow.Length(rawValue: window) != nil else { throw ValidationError("--window must be 5m, 15m or 20s (clob-sim only), got \(window).") }
        guard stopBeforeEnd >= 0, cooldown >= 0 else { throw ValidationError("--stop-before-end and --cooldown must not be negative.") }
        guard let parsedTimeInForce = ActionProposal.TimeInForce(text: timeInForce), parsedTimeInForce != .gtd else { throw ValidationError("--time-in-force must be GTC, FOK or FAK, got \(timeInForce).") }
        guard Logger.Level(rawValue: logLevel.lowercased()) != nil else { throw ValidationError("--log-level must be one of trace, debug, info, notice, warning, error, critical.") }
        guard ReplayRunner.Clock(rawValue: replayClock) != nil else { throw ValidationError("--replay-clock must be relative or wall, got \(replayClock).") }
        if strategy == .replay && replayFile == nil { throw ValidationError("--strategy replay needs --replay-file.") }
        for (name, text) in [("--mm-half-spread", mmHalfSpread), ("--mm-requote", mmRequote), ("--mm-skew", mmSkew)] {
            guard let price = try? Price(text), price.micros < 500_000 else { throw ValidationError("\(name) must be a price in [0, 0.5) like 0.01, got \(text).") }
        }
        guard let inventory = try? Shares(mmMaxInventory), inventory.micros > 0 else { throw ValidationError("--mm-max-inventory must be a positive share amount, got \(mmMaxInventory).") }
        guard mmPullBeforeEnd >= 0, mmMinIntervalMs >= 0 else { throw ValidationError("--mm-pull-before-end and --mm-min-interval-ms must not be negative.") }
    }

    var resolvedRuntimeDirectory: String? {
        runtimeDir ?? ProcessInfo.processInfo.environment["RUNTIME_DIRECTORY"].flatMap { $0.isEmpty ? nil : $0.split(separator: ":").first.map(String.init) }
    }

    /// Every address, from `--venue` and the explicit overrides. Valid after ``validate()``.
    var endpoints: WindowRunner.Endpoints {
        let venue = (try? VenueEndpoints(venue: self.venue)) ?? .localSimulator
        return WindowRunner.Endpoints(venue: venue.clob, gamma: gamma ?? venue.gamma, marketSocket: marketWs ?? venue.marketSocket,
                                         priceSocket: rtdsWs ?? venue.priceFeed)
    }

    /// Valid after ``validate()``.
    var fairValueConfiguration: FairValueStrategy.Configuration {
        FairValueStrategy.Configuration(
            size: (try? Shares(size)) ?? Shares(micros: 10_000_000), edge: (try? Price(edge)) ?? Price(micros: 10_000),
            fee: (try? Price(fee)) ?? Price(micros: 0), ttlMillis: ttlMs, stopBeforeEndSeconds: stopBeforeEnd,
            cooldownMillis: Int64(cooldown * 1000), timeInForce: ActionProposal.TimeInForce(text: timeInForce) ?? .gtc,
            maxSlippage: (try? Price(maxSlippage)) ?? Price(micros: 0))
    }

    /// Valid after ``validate()``.
    var marketMakerConfiguration: MarketMakerStrategy.Configuration {
        var configuration = MarketMakerStrategy.Configuration()
        configuration.size = (try? Shares(size)) ?? configuration.size
        configuration.halfSpread = (try? Price(mmHalfSpread)) ?? configuration.halfSpread
        configuration.requoteThreshold = (try? Price(mmRequote)) ?? configuration.requoteThreshold
        configuration.skewPerShare = (try? Price(mmSkew)) ?? configuration.skewPerShare
        configuration.maxInventory = (try? Shares(mmMaxInventory)) ?? configuration.maxInventory
        configuration.pullBeforeEndSeconds = mmPullBeforeEnd
        configuration.minCommandIntervalMillis = mmMinIntervalMs
        configuration.ttlMillis = ttlMs
        return configuration
    }

    var windowLength: UpDownWindow.Length { UpDownWindow.Length(rawValue: window) ?? .fiveMinutes }
    var level: Logger.Level { Logger.Level(rawValue: logLevel.lowercased()) ?? .info }
}
