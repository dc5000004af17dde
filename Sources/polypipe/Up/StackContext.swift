import MarketData
import VenueClient

/// What the stack's children are started with: the operator's choices, plus what earlier
/// children told the launcher (the venue URL clob-sim announced).
///
/// Owned by the ``Supervisor``'s thread; ``ChildSpec/arguments`` reads a copy at each spawn.
struct StackContext: Sendable {
    /// The directory holding every `ipc://` socket (exec-proc and signal-proc create their own
    /// subdirectories in it).
    var runtimeDirectory: String
    var mode: UpMode
    var seed: UInt64
    /// signal-proc's order size in shares, decimal text ("5", "2.5").
    var size: String
    /// signal-proc's strategy.
    var strategy: UpStrategy = .fairValue
    /// exec-proc's journal file, when the operator chose one.
    var journal: String?
    /// The Up/Down window length signal-proc trades (`20s`, `5m`, `15m`); clob-sim lists it
    /// next to the venue's own 5m and 15m windows.
    var window: UpDownWindow.Length = .twentySeconds
    /// `http://127.0.0.1:PORT`, once clob-sim is ready.
    var venueURL: String?
    /// The port clob-sim first bound: a restarted clob-sim binds it again so the other
    /// children's venue URL stays valid.
    var venuePort: Int?

    /// `--webhook`: recon-proc's alarm and alert webhook too.
    var webhook: String?

    /// The dashboard's port: asked for (5050 by default, 0 for any free one), then the one it
    /// bound, so a restarted dashboard keeps its URL.
    var dashboardPort: Int = 5050
    /// `http://127.0.0.1:PORT`, once the dashboard is ready.
    var dashboardURL: String?

    /// Each child's `/metrics` URL, as it logged it (`metrics.url=`): a restarted child binds
    /// the same port again, so a scraper's target stays valid.
    var metricsURLs: [String: String] = [:]

    /// `--metrics-address` for `child`: its first port again, or any free one (0).
    func metricsArguments(_ child: String) -> [String] {
        let port = metricsURLs[child].flatMap { url in url.split(separator: ":").last.flatMap { Int($0.split(separator: "/").first ?? "") } }
        return ["--metrics-address", "127.0.0.1:\(port ?? 0)"]
    }

    /// Where clob-sim's markets come from: its own (nil), a live upstream, or a recording.
    var upstream: UpstreamChoice?

    /// clob-sim's `--windows`: the traded length first, then 5m and 15m as on the venue (a
    /// mirror follows only the traded length: the upstream may list no other).
    var listedWindows: String {
        if upstream != nil { return window.rawValue }
        var lengths = [window]
        for length in [UpDownWindow.Length.fiveMinutes, .fifteenMinutes] where !lengths.contains(length) { lengths.append(length) }
        return lengths.map(\.rawValue).joined(separator: ",")
    }

    /// Where exec-proc writes the read-only venue credential fill-proc and recon-proc use.
    var readOnlyCredentialsPath: String { VenueCredentialsFile.localStackPath(runtimeDirectory: runtimeDirectory) }

    /// clob-sim's user channel (`ws://127.0.0.1:PORT/ws/user`).
    var userChannelURL: String? {
        venueURL.map { $0.replacingOccurrences(of: "http://", with: "ws://") + "/ws/user" }
    }
}

/// The modes `polypipe up` offers. Live trading is deliberately not one of them: it needs
/// exec-proc's own `--live` acknowledgement path, never a local stack.
enum UpMode: String, Sendable, CaseIterable {
    /// Real orders signed and sent to the local clob-sim.
    case paper
    /// Orders signed and logged, never sent.
    case dryRun = "dry-run"
}

/// `polypipe up --mirror` / `--replay`: clob-sim mirrors an upstream (paper against real books).
enum UpstreamChoice: Sendable, Equatable {
    /// `polymarket` or a simulator's URL.
    case mirror(String)
    case replay(path: String, speed: Double)

    /// clob-sim's arguments for it.
    var simArguments: [String] {
        switch self {
        case .mirror(let venue): return ["--mirror", venue]
        // Held until every process is ready (Up releases it), so each run starts alike.
        case .replay(let path, let speed): return ["--replay", path, "--speed", String(speed), "--hold"]
        }
    }
}

/// The strategy `polypipe up` runs in signal-proc.
enum UpStrategy: String, CaseIterable, Sendable {
    case fairValue = "fair-value"
    case marketMaker = "market-maker"
}
