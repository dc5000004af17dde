/// The processes of the local stack, in start order (stopped in reverse).
///
/// clob-sim first (it prints the venue URL the others need), then exec-proc (binds the bus
/// sockets, holds the key, and writes a read-only venue credential for the two readers), then
/// fill-proc (follows exec-proc's orders on the venue), recon-proc (compares paper, fills,
/// journal and venue), then signal-proc (connects to exec-proc's action socket) — so no order
/// is sent before the processes that account for it run; the dashboard last (it shows them
/// all, and merges their metrics).
enum StackDefinition {
    static let children: [ChildSpec] = [
        ChildSpec(name: "clob-sim", readiness: .listeningLine, holdsKey: false) { context in
            ["serve", "--port", String(context.venuePort ?? 0), "--seed", String(context.seed), "--windows", context.listedWindows]
                + (context.upstream?.simArguments ?? [])
        },
        ChildSpec(name: "exec-proc", readiness: .readyLine, holdsKey: true) { context in
            ["--mode", context.mode.rawValue, "--venue", context.venueURL ?? "", "--runtime-dir", context.runtimeDirectory,
             "--readonly-credentials-out", context.readOnlyCredentialsPath]
                + (context.journal.map { ["--journal", $0] } ?? []) + context.metricsArguments("exec-proc")
        },
        ChildSpec(name: "fill-proc", readiness: .readyLine, holdsKey: false) { context in
            ["--venue", context.venueURL ?? "", "--runtime-dir", context.runtimeDirectory,
             "--credentials", context.readOnlyCredentialsPath, "--user-channel", context.userChannelURL ?? ""]
                + context.metricsArguments("fill-proc")
        },
        ChildSpec(name: "recon-proc", readiness: .readyLine, holdsKey: false) { context in
            ["--venue", context.venueURL ?? "", "--runtime-dir", context.runtimeDirectory, "--credentials", context.readOnlyCredentialsPath]
                + context.metricsArguments("recon-proc") + (context.webhook.map { ["--webhook", $0] } ?? [])
        },
        ChildSpec(name: "signal-proc", readiness: .readyLine, holdsKey: false) { context in
            // Tuned so a one-minute run trades several times a minute on 20-second windows: a
            // decision per token at most every 3 s, none in a window's last 4 s, the crypto
            // taker fee at its peak (0.07 × 0.25 per share) counted in the margin, and a limit
            // up to 2 cents above the ask (never past the margin) for the book to move during
            // the taker delay.
            let common = ["--venue", context.venueURL ?? "", "--runtime-dir", context.runtimeDirectory, "--size", context.size,
                          "--window", context.window.rawValue] + context.metricsArguments("signal-proc")
            switch context.strategy {
            case .fairValue:
                return common + ["--cooldown", "3", "--stop-before-end", "4", "--fee", "0.0175", "--max-slippage", "0.02"]
            case .marketMaker:
                // Quotes pulled 4 s before a 20-second window ends; requotes at most once a second per quote.
                return ["--strategy", "market-maker"] + common + ["--mm-pull-before-end", "4", "--mm-min-interval-ms", "1000"]
            }
        },
        // Read only (no control token): the page of this stack, with every process's metrics.
        ChildSpec(name: "dashboard", binary: "polypipe", readiness: .dashboardLine, holdsKey: false) { context in
            ["dashboard", "--runtime-dir", context.runtimeDirectory, "--address", "127.0.0.1:\(context.dashboardPort)"]
                + context.metricsURLs.keys.sorted().flatMap { ["--metrics-url", context.metricsURLs[$0] ?? ""] }
        },
    ]

    /// The names, for validating `--child-command`.
    static var names: [String] { children.map(\.name) }
}
