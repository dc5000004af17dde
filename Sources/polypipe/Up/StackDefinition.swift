/// The processes of the local stack, in start order (stopped in reverse).
///
/// clob-sim first (it prints the venue URL the others need), then exec-proc (binds the bus
/// sockets, holds the key, and writes a read-only venue credential for the two readers), then
/// fill-proc (follows exec-proc's orders on the venue), recon-proc (compares paper, fills,
/// journal and venue), then signal-proc (connects to exec-proc's action socket) — so no order
/// is sent before the processes that account for it run.
enum StackDefinition {
    static let children: [ChildSpec] = [
        ChildSpec(name: "clob-sim", readiness: .listeningLine, holdsKey: false) { context in
            ["serve", "--port", String(context.venuePort ?? 0), "--seed", String(context.seed)]
        },
        ChildSpec(name: "exec-proc", readiness: .readyLine, holdsKey: true) { context in
            ["--mode", context.mode.rawValue, "--venue", context.venueURL ?? "", "--runtime-dir", context.runtimeDirectory,
             "--readonly-credentials-out", context.readOnlyCredentialsPath]
                + (context.journal.map { ["--journal", $0] } ?? [])
        },
        ChildSpec(name: "fill-proc", readiness: .readyLine, holdsKey: false) { context in
            ["--venue", context.venueURL ?? "", "--runtime-dir", context.runtimeDirectory,
             "--credentials", context.readOnlyCredentialsPath, "--user-channel", context.userChannelURL ?? ""]
        },
        ChildSpec(name: "recon-proc", readiness: .readyLine, holdsKey: false) { context in
            ["--venue", context.venueURL ?? "", "--runtime-dir", context.runtimeDirectory, "--credentials", context.readOnlyCredentialsPath]
        },
        ChildSpec(name: "signal-proc", readiness: .readyLine, holdsKey: false) { context in
            ["--venue", context.venueURL ?? "", "--runtime-dir", context.runtimeDirectory, "--size", context.size, "--window", "5m"]
        },
    ]

    /// The names, for validating `--child-command`.
    static var names: [String] { children.map(\.name) }
}
