import ArgumentParser
import Foundation
import Hummingbird
import HummingbirdWebSocket
import Logging
import ServiceLifecycle
import MarketData
import PolypipeCore
import Upstream
import VenueClient

/// `clob-sim`: a local Polymarket CLOB that speaks the real protocol, for tests and paper trading.
@main
struct ClobSim: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "clob-sim",
        abstract: "A local Polymarket CLOB for tests and paper trading.",
        subcommands: [Serve.self, Bench.self],
        defaultSubcommand: Serve.self
    )
}

/// `clob-sim serve` (the default): run the venue on loopback.
struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run a local Polymarket CLOB (V2 orders, L1/L2 auth, matching) on loopback.",
        discussion: """
        Prints one line, "listening on http://127.0.0.1:PORT", once it accepts requests. Every \
        address that creates or derives an API key is funded with --starting-balance pUSD, so \
        any client (the official py-clob-client-v2 included) can trade at once. Orders are \
        verified as the venue does (EIP-712 signature, signer and owner, tick, size, balance) and \
        matched per token by price-time priority with the mint/merge cross-token rules.
        """
    )

    @Option(help: "TCP port on 127.0.0.1; 0 picks a free one.")
    var port: Int = 8080

    @Option(help: "Seed for every reproducible choice (ids, keys, failures).")
    var seed: UInt64 = 1

    @Option(help: "Sim time runs this many times faster than real time.")
    var timeScale: Double = 1

    @Option(help: "pUSD credited once to each new API key's address.")
    var startingBalance: String = "10000"

    @Option(help: "Chain id the venue signs for (137 Polygon, 80002 Amoy).")
    var chainID: UInt64 = 137

    @Option(help: ArgumentHelp(
        "JSON file of accounts to fund at start: [{\"address\": \"0x…\", \"collateral\": \"2500\"}].",
        discussion: "Optional per account: \"funders\" {\"1\"|\"2\"|\"3\": wallet}, \"rateLimitTier\" (overrides --rate-limit-tier), \"depositWalletOnly\": true (types 0-2 refused)."))
    var accounts: String?

    @Option(help: "Market behaviour: realistic (ladders of makers, takers, crypto fees and the 250 ms taker delay on Up/Down windows) or simple (one quote a side, no fees, no delay).")
    var profile: String = SimProfile.Name.realistic.rawValue

    @Option(help: "Up/Down window lengths to list, comma-separated: 5m, 15m, and 20s (the sim's own short window).")
    var windows: String = "5m,15m"

    @Option(help: "Per-signer rate-limit tier (spec §6.1): standard, copper, bronze, silver, gold, platinum, diamond, elite, or unlimited (no limit, for benchmarks).")
    var rateLimitTier: String = "standard"

    @Option(help: "Seconds before a GTD order's signed expiration at which the venue cancels it (spec §2.2: about a minute). Tests raise it to see an expiry sooner.")
    var gtdLeadSeconds: Int64 = 60

    @Option(help: ArgumentHelp(
        "Mirror an upstream venue: polymarket (its production hosts) or a simulator's URL. Its windows, books, trades and reference price drive the markets here (public data only: nothing is ever sent to it); our orders trade here, against its books.",
        valueName: "url"))
    var mirror: String?

    @Option(help: ArgumentHelp("Serve a recording (`polypipe record`) as the upstream, on a clock that starts at its first record.", valueName: "file"))
    var replay: String?

    @Option(help: "With --replay: the replay clock runs this many times faster than real time.")
    var speed: Double = 1

    @Flag(help: "With --replay: apply the recording's first 2 seconds (its windows, terms and books), then hold the replay clock until POST /admin/replay/start — so clients that connect meanwhile always start from the same state (polypipe up --replay releases it once every process is ready).")
    var hold = false

    func validate() throws {
        guard (0...65_535).contains(port) else { throw ValidationError("--port must be between 0 and 65535.") }
        guard mirror == nil || replay == nil else { throw ValidationError("--mirror and --replay exclude each other: an upstream is live or recorded.") }
        guard speed > 0 else { throw ValidationError("--speed must be positive.") }
        guard !hold || replay != nil else { throw ValidationError("--hold applies to --replay only.") }
        guard (mirror == nil && replay == nil) || timeScale == 1 else {
            throw ValidationError("--time-scale does not apply to --mirror (the upstream's real time) or --replay (use --speed).")
        }
        if let mirror { do { _ = try VenueEndpoints(venue: mirror) } catch { throw ValidationError("--mirror: \(error)") } }
        guard timeScale > 0 else { throw ValidationError("--time-scale must be positive.") }
        guard (try? Collateral(startingBalance)) != nil else { throw ValidationError("--starting-balance must be a pUSD amount like 10000 or 2500.50.") }
        guard Chain(rawValue: chainID) != nil else { throw ValidationError("--chain-id must be 137 or 80002.") }
        guard SimProfile.Name(rawValue: profile) != nil else { throw ValidationError("--profile must be realistic or simple, got \(profile).") }
        guard windowLengths != nil else { throw ValidationError("--windows must list 5m, 15m or 20s separated by commas, got \(windows).") }
        guard gtdLeadSeconds >= 0 else { throw ValidationError("--gtd-lead-seconds must not be negative (got \(gtdLeadSeconds)).") }
        guard RateLimitTier(venueName: rateLimitTier) != nil else {
            throw ValidationError("--rate-limit-tier must be one of \(RateLimitTier.allCases.map(\.rawValue).joined(separator: ", ")) (got \(rateLimitTier)).")
        }
    }

    /// `--windows` parsed; nil when an entry is not a known length or the list is empty.
    var windowLengths: [UpDownWindow.Length]? {
        let lengths = windows.split(separator: ",").map { UpDownWindow.Length(rawValue: $0.trimmingCharacters(in: .whitespaces)) }
        guard !lengths.isEmpty, lengths.allSatisfy({ $0 != nil }) else { return nil }
        return lengths.compactMap { $0 }
    }

    func run() async throws {
        // Logs go to stderr: stdout carries only the "listening on" line a parent waits for.
        LoggingSystem.bootstrap(StreamLogHandler.standardError)
        var configuration = Venue.Configuration()
        configuration.seed = seed
        configuration.chain = Chain(rawValue: chainID) ?? .polygon
        configuration.startingBalance = Int64((try? Collateral(startingBalance))?.micros ?? 0)
        configuration.profile = SimProfile.named(SimProfile.Name(rawValue: profile) ?? .realistic)
        configuration.windowLengths = windowLengths ?? configuration.windowLengths
        configuration.rateLimitTier = RateLimitTier(venueName: rateLimitTier) ?? .standard
        configuration.gtdLeadSeconds = gtdLeadSeconds
        if let accounts {
            guard let text = try? String(contentsOfFile: accounts, encoding: .utf8) else {
                throw ValidationError("--accounts: cannot read \(accounts).")
            }
            do { configuration.fundedAccounts = try FundedAccount.load(text) } catch { throw ValidationError(error.message) }
        }
        var upstream: (UpstreamSource.Origin, SimClock, ReplayControl?)?
        if let mirror {
            let endpoints = try VenueEndpoints(venue: mirror)
            let feed = UpstreamFeed(endpoints: endpoints, lengths: configuration.windowLengths, logger: Logger(label: "polypipe.clob-sim.mirror"))
            upstream = (.live(feed), SimClock(), nil)
        } else if let replay {
            let recording: RecordingReader
            do { recording = try RecordingReader(path: replay) } catch { throw ValidationError("--replay: \(error)") }
            guard let first = recording.records.first else { throw ValidationError("--replay: \(replay) holds no records") }
            let clock = SimClock(scale: speed, startMillis: first.receivedAtMillis + (hold ? ReplayControl.holdMillis : 0))
            let control = ReplayControl(clock: clock, total: recording.records.count, held: hold)
            upstream = (.replay(recording, control), clock, control)
        }
        let app = Self.application(configuration: configuration, timeScale: timeScale, port: port, upstream: upstream) { port in
            // Written straight to fd 1 (unbuffered): a parent waiting for this line gets it now.
            FileHandle.standardOutput.write(Data("listening on http://127.0.0.1:\(port)\n".utf8))
        }
        try await app.runService()
    }

    /// The server: the venue behind its HTTP responder, plus the ticker that drives settlement.
    /// - Parameter upstream: mirror mode, with the clock it runs on (a replay's starts at its
    ///   recording); nil for the sim's own markets.
    static func application(configuration: Venue.Configuration, timeScale: Double, port: Int,
                            upstream: (UpstreamSource.Origin, SimClock, ReplayControl?)? = nil,
                            onRunning: @escaping @Sendable (Int) -> Void) -> some ApplicationProtocol {
        let clock = upstream?.1 ?? SimClock(scale: timeScale)
        // Signatures are timestamped with the clients' wall clock, whatever the sim's clock does.
        let venue = Venue(configuration: configuration, catalog: upstream == nil ? .staticSet() : MarketCatalog(), liveWindows: upstream == nil,
                          clock: { clock.nowMillis() }, authClock: { Int64(Date().timeIntervalSince1970 * 1000) },
                          replay: upstream?.2)
        var services: [any Service] = [VenueTicker(venue: venue)]
        if let (origin, _, _) = upstream {
            services.append(UpstreamSource(venue: venue, origin: origin, clock: clock, logger: Logger(label: "polypipe.clob-sim.mirror")))
        }
        return Application(
            responder: SimResponder(venue: venue),
            server: .http1WebSocketUpgrade { request, _, _ in
                // WebSockets (spec §5): /ws/market and /ws/user; every other path is REST.
                // The RTDS price feed is served at /rtds (spec §5.3).
                let path = request.path?.split(separator: "?").first.map(String.init) ?? ""
                let kinds: [String: StreamSession.Kind] = ["/ws/market": .market, "/ws/user": .user, "/rtds": .prices]
                guard let kind = kinds[path] else { return .dontUpgrade }
                return .upgrade([:]) { inbound, outbound, _ in
                    await StreamSession(venue: venue, kind: kind).run(inbound: inbound, outbound: outbound)
                }
            },
            configuration: .init(address: .hostname("127.0.0.1", port: port), serverName: "clob-sim"),
            services: services,
            onServerRunning: { channel in onRunning(channel.localAddress?.port ?? 0) },
            logger: Logger(label: "polypipe.clob-sim")
        )
    }
}
