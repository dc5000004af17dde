import PolypipeCore
/// The thresholds and severities of reconciliation (issue 5, test matrix REC-01…REC-09).
/// Every edge is inclusive on the alarming side, and each test pins its edge:
///
/// - **size**: a position alarms when `|paper − actual| × price ≥ sizeThreshold` (default
///   $1.00: $0.99 is silent, $1.00 alarms, REC-01). The price is the paper average price, or the
///   actual one when paper holds nothing. Compared exactly, in picos: nothing is rounded first.
/// - **price**: when both sides hold at least ``dust``, `|paper avg − actual avg| ≥ priceThreshold`
///   alarms (default 0.05: 0.049 silent, 0.050 alarms, REC-02).
/// - **dust**: a size difference below ``dust`` is ignored, one of ``dust`` or more is evaluated
///   (default 0.01 shares: 0.009 ignored, 0.010 evaluated, REC-04).
/// - **grace**: a divergence is silent while its last activity (an accepted action, a match, a
///   settlement step, a void) is less than ``gracePeriodMillis`` old, and alarms from then on
///   (REC-03); a journal order is "missing" once the venue, asked at least the grace period after
///   the order was made, does not list it (REC-06).
/// - **stale**: an input older than ``staleAfterMillis`` (strictly) is stale (REC-08).
public struct ReconciliationPolicy: Sendable, Hashable {
    public var sizeThreshold: Collateral
    public var priceThreshold: Price
    public var dust: Shares
    public var gracePeriodMillis: Int64
    public var staleAfterMillis: Int64
    /// Severity per finding kind; kinds not listed use ``defaultSeverities``.
    public var severities: [Finding.Kind: Severity]
    /// Halt exec-proc while an active alarm is at least this severe; nil never halts (the
    /// auto kill switch off).
    public var haltAt: Severity?

    /// Position drift, ghost fills and orphan orders are critical (they mean money we do not
    /// account for); a missing order and a stale input are warnings.
    public static let defaultSeverities: [Finding.Kind: Severity] = [
        .positionMismatch: .critical, .ghostFill: .critical, .orphanOrder: .critical, .missingOrder: .warning, .staleInput: .warning,
        .dailyLoss: .critical,
    ]

    public init(sizeThreshold: Collateral = Collateral(micros: 1_000_000), priceThreshold: Price = Price(micros: 50_000),
                dust: Shares = Shares(micros: 10_000), gracePeriodMillis: Int64 = 30_000, staleAfterMillis: Int64 = 30_000,
                severities: [Finding.Kind: Severity] = [:], haltAt: Severity? = .critical) {
        self.sizeThreshold = sizeThreshold
        self.priceThreshold = priceThreshold
        self.dust = dust
        self.gracePeriodMillis = gracePeriodMillis
        self.staleAfterMillis = staleAfterMillis
        self.severities = severities
        self.haltAt = haltAt
    }

    public func severity(of kind: Finding.Kind) -> Severity {
        severities[kind] ?? Self.defaultSeverities[kind] ?? .critical
    }

    /// Whether these (active) findings should halt exec-proc.
    public func shouldHalt(_ findings: some Sequence<Finding>) -> Bool {
        guard let haltAt else { return false }
        return findings.contains { $0.severity >= haltAt }
    }
}
