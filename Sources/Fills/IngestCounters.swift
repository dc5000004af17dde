/// Running totals of what ``FillLedger`` did with its input: for metrics and the status line.
/// Persisted with the ledger, so they survive a restart.
public struct IngestCounters: Sendable, Hashable, Codable {
    /// Trade observations offered (JSON that could not be read included).
    public var observations: Int64 = 0
    /// Fills recorded for the first time.
    public var newFills: Int64 = 0
    /// Observations that changed nothing (already seen, same status or a stale one).
    public var duplicates: Int64 = 0
    /// Settlement status moves of known fills (voids included).
    public var statusChanges: Int64 = 0
    /// Fills voided by FAILED after they had counted.
    public var voids: Int64 = 0
    /// Trades dropped whole because something in them could not be trusted (test matrix SET-09).
    public var droppedMalformed: Int64 = 0
    /// Trades dropped because no leg was one of our orders.
    public var droppedForeign: Int64 = 0
    /// A terminal status contradicted by a later one (CONFIRMED, then FAILED): the first stays.
    public var conflictingStatuses: Int64 = 0

    public init() {}
}
