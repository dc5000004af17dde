/// How exec-proc treats the orders it signs.
///
/// - `paper` (the default): the venue is clob-sim (or any non-production venue); orders are
///   signed and sent exactly as they would be live.
/// - `dryRun`: orders are signed, journaled and logged, never sent. Market data is still read
///   from the venue.
/// - `live`: the configured venue, real money. Only reachable through ``LiveGate``.
public enum ExecMode: String, Sendable, Hashable, CaseIterable {
    case paper
    case dryRun = "dry-run"
    case live
}
