import Fills
import PolypipeCore
/// Compares paper with actual positions and the journal with the venue's open orders: a pure
/// function of one ``ReconciliationInput`` under one ``ReconciliationPolicy``.
///
/// It keeps no memory between cycles — the grace period counts from the timestamps in the
/// input — so the same input always gives the same report, and recon-proc can run it on any
/// aligned snapshot. Episodes (raise once, clear once) are ``AlarmTracker``'s job.
///
/// Two rules keep a failed read from looking like a discrepancy (a read that fails keeps its
/// last value and its old stamp, so inputs can be of different ages):
/// - a paper position that changed after the venue's open orders were last read is
///   settling: the paper counts a resting order in full until that read says what it matched;
/// - orphans are looked for only when the venue's list was read at or after the journal's, so
///   an order that ended between an old venue read and a fresh journal read is not an orphan.
public struct Reconciler: Sendable {
    public let policy: ReconciliationPolicy

    public init(policy: ReconciliationPolicy = ReconciliationPolicy()) {
        self.policy = policy
    }

    /// One cycle's findings.
    public func reconcile(_ input: ReconciliationInput) -> ReconciliationReport {
        var findings: [Finding] = []
        var stale: Set<ReconciliationInput.Source> = []
        let stamps: [(ReconciliationInput.Source, Int64)] = [(.paper, input.paper.asOfMillis), (.fills, input.actual.asOfMillis),
                                                             (.journal, input.journalOpenOrders.asOfMillis), (.venue, input.venueOpenOrders.asOfMillis)]
        for (source, asOf) in stamps where input.nowMillis - asOf > policy.staleAfterMillis {
            stale.insert(source)
            findings.append(Finding(kind: .staleInput, severity: policy.severity(of: .staleInput), subject: source.rawValue,
                                    detail: .staleInput(source, ageMillis: input.nowMillis - asOf, limitMillis: policy.staleAfterMillis)))
        }

        var settling: [PositionKey] = []
        var positionsCompared = 0
        if stale.isDisjoint(with: [.paper, .fills]) {
            let paper = Dictionary(input.paper.value.map { ($0.key, $0) }, uniquingKeysWith: { _, last in last })
            let actual = Dictionary(input.actual.value.map { ($0.key, $0) }, uniquingKeysWith: { _, last in last })
            for key in Set(paper.keys).union(actual.keys).sorted() {
                positionsCompared += 1
                switch compare(paper: paper[key], actual: actual[key], key: key, nowMillis: input.nowMillis,
                               venueReadMillis: input.venueOpenOrders.asOfMillis) {
                case .agrees: break
                case .settling: settling.append(key)
                case .finding(let finding): findings.append(finding)
                }
            }
        }

        var ordersCompared = 0
        if stale.isDisjoint(with: [.journal, .venue]) {
            ordersCompared = input.journalOpenOrders.value.count + input.venueOpenOrders.value.count
            findings += orderFindings(input)
        }
        return ReconciliationReport(findings: findings, settling: settling, positionsCompared: positionsCompared, ordersCompared: ordersCompared)
    }

    private enum Verdict {
        case agrees
        case settling
        case finding(Finding)
    }

    private func compare(paper: PaperPosition?, actual: ActualPosition?, key: PositionKey, nowMillis: Int64,
                         venueReadMillis: Int64) -> Verdict {
        let paperSize = paper?.size ?? .zero
        let actualSize = actual?.size ?? .zero
        let paperPrice = paper?.averagePrice ?? Price(micros: 0)
        let actualPrice = actual?.averagePrice ?? Price(micros: 0)
        let difference = paperSize - actualSize
        let reference = paperSize.isZero ? actualPrice : paperPrice
        let notionalPicos = UInt128(difference.magnitude.micros) * UInt128(reference.micros)
        let sizeBreached = difference.magnitude >= policy.dust && notionalPicos >= UInt128(policy.sizeThreshold.micros) * 1_000_000
        let priceDifference = Price(micros: paperPrice.micros > actualPrice.micros ? paperPrice.micros - actualPrice.micros : actualPrice.micros - paperPrice.micros)
        let priceBreached = paperSize.magnitude >= policy.dust && actualSize.magnitude >= policy.dust && priceDifference >= policy.priceThreshold
        guard sizeBreached || priceBreached else { return .agrees }

        let lastActivity = max(paper?.lastChangeMillis ?? .min, actual?.lastActivityMillis ?? .min)
        if nowMillis - lastActivity < policy.gracePeriodMillis { return .settling }
        // The venue has not been asked about this position's orders since the paper changed.
        if let changed = paper?.lastChangeMillis, changed > venueReadMillis { return .settling }

        let comparison = PositionComparison(key: key, paperSize: paperSize, paperPrice: paperPrice, actualSize: actualSize, actualPrice: actualPrice,
                                            actualProvisional: actual?.provisionalSize ?? .zero, sizeDifference: difference,
                                            notionalDifference: Collateral(micros: UInt64(notionalPicos / 1_000_000)),
                                            priceDifference: priceDifference, sizeBreached: sizeBreached, priceBreached: priceBreached)
        // Failed fills that would have closed the gap (a failed BUY when paper is ahead) explain it.
        let ghosts = (actual?.failedFills ?? []).filter { sizeBreached && !$0.signedSize.isZero && ($0.signedSize.micros > 0) == (difference.micros > 0) }
        let subject = "\(key.market)/\(key.token)"
        if ghosts.isEmpty {
            return .finding(Finding(kind: .positionMismatch, severity: policy.severity(of: .positionMismatch), subject: subject, detail: .position(comparison)))
        }
        return .finding(Finding(kind: .ghostFill, severity: policy.severity(of: .ghostFill), subject: subject,
                                detail: .ghostFill(comparison, failed: ghosts.sorted { $0.key < $1.key })))
    }

    /// Orphans: on the venue, unknown to the journal, made before the journal snapshot
    /// (exec-proc journals before it sends, so a journal read after the venue made the order
    /// must have it; the venue's seconds are rounded up), and listed by a venue read no older
    /// than the journal's (an older list may show an order that has ended since). Missing: in the journal, absent from
    /// the venue's list, never reported by the venue, and the venue list read at least the grace
    /// period after the order was made.
    private func orderFindings(_ input: ReconciliationInput) -> [Finding] {
        var findings: [Finding] = []
        let journal = Set(input.journalOpenOrders.value.map(\.orderID))
        let venue = Set(input.venueOpenOrders.value.map(\.orderID))
        let venueReadAfterJournal = input.venueOpenOrders.asOfMillis >= input.journalOpenOrders.asOfMillis
        for order in input.venueOpenOrders.value.sorted(by: { $0.orderID < $1.orderID })
        where venueReadAfterJournal && !journal.contains(order.orderID) {
            if let created = order.createdAtMillis, created + 1000 > input.journalOpenOrders.asOfMillis { continue }
            findings.append(Finding(kind: .orphanOrder, severity: policy.severity(of: .orphanOrder), subject: order.orderID.description, detail: .orphanOrder(order)))
        }
        for order in input.journalOpenOrders.value.sorted(by: { $0.orderID < $1.orderID })
        where !venue.contains(order.orderID) && !input.venueKnownOrderIDs.contains(order.orderID) {
            let age = input.venueOpenOrders.asOfMillis - order.createdAtMillis
            guard age >= policy.gracePeriodMillis else { continue }
            findings.append(Finding(kind: .missingOrder, severity: policy.severity(of: .missingOrder), subject: order.orderID.description,
                                    detail: .missingOrder(order, ageMillis: age)))
        }
        return findings
    }
}

/// What one reconciliation cycle found.
public struct ReconciliationReport: Sendable, Hashable {
    public let findings: [Finding]
    /// Positions that differ but are still within the grace period (silent, not in sync).
    public let settling: [PositionKey]
    public let positionsCompared: Int
    public let ordersCompared: Int

    public init(findings: [Finding], settling: [PositionKey], positionsCompared: Int, ordersCompared: Int) {
        self.findings = findings
        self.settling = settling
        self.positionsCompared = positionsCompared
        self.ordersCompared = ordersCompared
    }

    /// No finding and nothing settling: paper, fills, journal and venue agree.
    public var isInSync: Bool { findings.isEmpty && settling.isEmpty }

    /// One line for the log and the end of `polypipe up`.
    public var summary: String {
        if isInSync { return "in sync: \(positionsCompared) positions, \(ordersCompared) open orders compared" }
        var parts: [String] = []
        if !findings.isEmpty {
            let worst = findings.map(\.severity).max() ?? .info
            parts.append("\(findings.count) finding\(findings.count == 1 ? "" : "s") (worst: \(worst.rawValue))")
        }
        if !settling.isEmpty { parts.append("\(settling.count) position\(settling.count == 1 ? "" : "s") settling") }
        return parts.joined(separator: ", ")
    }
}
