import Testing
import Fills
import PolypipeCore
import Reconciliation

@Suite struct ReconcilerTests {
    typealias S = FillScenario
    static let now: Int64 = 1_000_000
    static let key = S.upKey

    static func paper(_ size: Int64, _ price: UInt64, at: Int64 = 0) -> PaperPosition {
        PaperPosition(key: key, size: Signed(micros: size), averagePrice: Price(micros: price), lastChangeMillis: at)
    }

    static func actual(_ size: Int64, _ price: UInt64, at: Int64 = 0, confirmed: Int64? = nil, failed: [FailedFill] = []) -> ActualPosition {
        ActualPosition(key: key, size: Signed(micros: size), confirmedSize: Signed(micros: confirmed ?? size), averagePrice: Price(micros: price),
                       lastActivityMillis: at, failedFills: failed)
    }

    static func input(paper: [PaperPosition] = [], actual: [ActualPosition] = [], journal: [JournalOrder] = [], venue: [VenueOrder] = [],
                      known: Set<OrderID> = [], now: Int64 = now, asOf: Int64 = now) -> ReconciliationInput {
        ReconciliationInput(nowMillis: now, paper: Timestamped(paper, asOfMillis: asOf), actual: Timestamped(actual, asOfMillis: asOf),
                            journalOpenOrders: Timestamped(journal, asOfMillis: asOf), venueOpenOrders: Timestamped(venue, asOfMillis: asOf),
                            venueKnownOrderIDs: known)
    }

    static func findings(_ input: ReconciliationInput, policy: ReconciliationPolicy = ReconciliationPolicy()) -> [Finding] {
        Reconciler(policy: policy).reconcile(input).findings
    }

    /// REC-01: $0.99 of size difference is silent, $1.00 alarms (the edge is inclusive).
    @Test func theSizeThresholdAlarmsFromOneDollarInclusive() throws {
        // 1.98 shares × 0.50 = $0.99; 2.00 × 0.50 = $1.00.
        #expect(Self.findings(Self.input(paper: [Self.paper(10_000_000, 500_000)], actual: [Self.actual(8_020_000, 500_000)])).isEmpty)
        let alarm = try #require(Self.findings(Self.input(paper: [Self.paper(10_000_000, 500_000)], actual: [Self.actual(8_000_000, 500_000)])).first)
        #expect(alarm.kind == .positionMismatch && alarm.severity == .critical)
        // The seed's example, word for word: both sides and the difference.
        let seed = try #require(Self.findings(Self.input(paper: [Self.paper(10_000_000, 520_000)], actual: [Self.actual(8_000_000, 530_000)])).first)
        #expect(seed.message == "paper 10.00 @ 0.52 vs actual 8.00 @ 0.53: size diff 2.00 ($1.04)")
        // Actual ahead of paper is a difference too; with nothing on paper the actual price prices it.
        let ahead = try #require(Self.findings(Self.input(actual: [Self.actual(4_000_000, 250_000)])).first)
        #expect(ahead.message == "paper 0.00 @ 0.00 vs actual 4.00 @ 0.25: size diff -4.00 ($1.00)")
        #expect(Self.findings(Self.input(actual: [Self.actual(3_999_999, 250_000)])).isEmpty)
    }

    /// REC-02: an average price 0.049 apart is silent, 0.050 apart alarms.
    @Test func thePriceThresholdAlarmsFromFiveCentsInclusive() throws {
        #expect(Self.findings(Self.input(paper: [Self.paper(10_000_000, 500_000)], actual: [Self.actual(10_000_000, 549_000)])).isEmpty)
        let alarm = try #require(Self.findings(Self.input(paper: [Self.paper(10_000_000, 500_000)], actual: [Self.actual(10_000_000, 550_000)])).first)
        #expect(alarm.kind == .positionMismatch && alarm.message == "paper 10.00 @ 0.50 vs actual 10.00 @ 0.55: price diff 0.05")
        #expect(Self.findings(Self.input(paper: [Self.paper(10_000_000, 550_000)], actual: [Self.actual(10_000_000, 500_000)])).count == 1)
    }

    /// REC-04: a residual of 0.009 shares is dust, 0.010 is evaluated (here against a tiny
    /// threshold, so that "evaluated" shows as an alarm).
    @Test func differencesBelowTheDustFloorAreIgnored() {
        let tiny = ReconciliationPolicy(sizeThreshold: Collateral(micros: 1_000))
        #expect(Self.findings(Self.input(paper: [Self.paper(10_000_000, 500_000)], actual: [Self.actual(9_991_000, 500_000)]), policy: tiny).isEmpty)
        #expect(Self.findings(Self.input(paper: [Self.paper(10_000_000, 500_000)], actual: [Self.actual(9_990_000, 500_000)]), policy: tiny).count == 1)
        // Average prices of dust-sized positions are not compared.
        #expect(Self.findings(Self.input(paper: [Self.paper(9_000, 900_000)], actual: [Self.actual(9_000, 100_000)]), policy: tiny).isEmpty)
    }

    /// REC-03: a provisional fill behind paper is silent within the grace period, an alarm after it.
    @Test func divergenceWithinTheGracePeriodIsSilentButNotInSync() throws {
        let lastFill = Self.now - 30_000
        let paper = [Self.paper(10_000_000, 500_000, at: lastFill - 1_000)]
        let actual = [Self.actual(6_000_000, 500_000, at: lastFill, confirmed: 0)]
        let within = Reconciler().reconcile(Self.input(paper: paper, actual: actual, now: Self.now - 1))
        #expect(within.findings.isEmpty && within.settling == [Self.key] && !within.isInSync)
        #expect(within.summary == "1 position settling")
        let after = Reconciler().reconcile(Self.input(paper: paper, actual: actual))
        #expect(after.findings.map(\.kind) == [.positionMismatch])
        #expect(after.findings.first?.message == "paper 10.00 @ 0.50 vs actual 6.00 @ 0.50 (6.00 provisional): size diff 4.00 ($2.00)")
        // Provisional shares that match paper are simply in sync.
        let matching = Reconciler().reconcile(Self.input(paper: paper, actual: [Self.actual(10_000_000, 500_000, at: lastFill, confirmed: 0)]))
        #expect(matching.isInSync && matching.summary == "in sync: 1 positions, 0 open orders compared")
    }

    /// SET-02: a FAILED fill not corrected within the grace period raises `ghost_fill` naming the trade.
    @Test func aFailedFillPastGraceIsAGhostFillNamingTheTrade() throws {
        let failedAt = Self.now - 30_000
        let ghost = FailedFill(key: FillKey(tradeID: "trade-7", orderID: S.orderID(3)), side: .buy, size: Shares(micros: 10_000_000),
                               price: Price(micros: 520_000), failedAtMillis: failedAt)
        let paper = [Self.paper(10_000_000, 520_000, at: failedAt - 5_000)]
        let actual = [Self.actual(0, 0, at: failedAt, failed: [ghost])]
        #expect(Reconciler().reconcile(Self.input(paper: paper, actual: actual, now: Self.now - 1)).settling == [Self.key])
        let finding = try #require(Self.findings(Self.input(paper: paper, actual: actual)).first)
        #expect(finding.kind == .ghostFill && Self.findings(Self.input(paper: paper, actual: actual)).count == 1)
        #expect(finding.message.hasSuffix("FAILED at the venue: trade trade-7 (BUY 10.00 @ 0.52)"))
        // A failed SELL cannot explain paper being ahead on a BUY: that is plain drift.
        let unrelated = FailedFill(key: FillKey(tradeID: "trade-8", orderID: S.orderID(4)), side: .sell, size: Shares(micros: 10_000_000),
                                   price: Price(micros: 520_000), failedAtMillis: failedAt)
        #expect(Self.findings(Self.input(paper: paper, actual: [Self.actual(0, 0, at: failedAt, failed: [unrelated])])).map(\.kind) == [.positionMismatch])
        // Corrected (paper followed the void): nothing.
        #expect(Self.findings(Self.input(paper: [Self.paper(0, 0, at: failedAt)], actual: actual)).isEmpty)
    }

    /// SET-02 end to end: the ledger voids the ghost, the paper book still holds the action.
    @Test func theLedgerAndThePaperBookTogetherNameTheGhostFill() throws {
        var ledger = S.ledger([S.order(1, size: 10_000_000, expected: 520_000)])
        var paper = PaperBook()
        paper.accept(actionID: "action-1", key: Self.key, side: .buy, size: Shares(micros: 10_000_000), expectedPrice: Price(micros: 520_000), atMillis: 1_000)
        _ = ledger.ingest(S.takerTrade("ghost-1", order: 1, .buy, size: 10_000_000, price: 520_000, matchedAt: 2_000, observedAt: 2_000))
        let synced = Reconciler().reconcile(Self.input(paper: paper.positions, actual: ledger.actualPositions, now: 2_500, asOf: 2_500))
        #expect(synced.isInSync)
        _ = ledger.ingest(S.takerTrade("ghost-1", order: 1, .buy, size: 10_000_000, price: 520_000, status: .retrying, observedAt: 3_000))
        _ = ledger.ingest(S.takerTrade("ghost-1", order: 1, .buy, size: 10_000_000, price: 520_000, status: .failed, observedAt: 4_000))
        let input = Self.input(paper: paper.positions, actual: ledger.actualPositions, now: 34_000, asOf: 34_000)
        let report = Reconciler().reconcile(input)
        #expect(report.findings.map(\.kind) == [.ghostFill] && report.findings.first?.message.contains("trade ghost-1") == true)
        #expect(Reconciler().reconcile(Self.input(paper: paper.positions, actual: ledger.actualPositions, now: 33_999, asOf: 33_999)).findings.isEmpty)
        // exec-proc corrects the paper once it learns of the void: in sync again.
        paper.settle(actionID: "action-1", filled: Shares(micros: 0), atMillis: 35_000)
        #expect(Reconciler().reconcile(Self.input(paper: paper.positions, actual: ledger.actualPositions, now: 70_000, asOf: 70_000)).isInSync)
    }

    /// ★CAN-02: a cancel that lost the race to a fill: the order filled, the journal still lists
    /// it, the venue does not: no missing order and no divergence after grace.
    @Test func aCancelThatLostTheRaceToAFillLeavesNoDivergence() {
        var ledger = S.ledger([S.order(1, size: 5_000_000, expected: 500_000)])
        var paper = PaperBook()
        paper.accept(actionID: "action-1", key: Self.key, side: .buy, size: Shares(micros: 5_000_000), expectedPrice: Price(micros: 500_000), atMillis: 1_000)
        _ = ledger.record(.accepted, orderID: S.orderID(1), atMillis: 1_100)
        _ = ledger.ingest(S.takerTrade("t1", order: 1, .buy, size: 5_000_000, price: 500_000, matchedAt: 1_200, observedAt: 1_300))
        let journal = [JournalOrder(orderID: OrderID(S.orderHash(1).uppercased()), market: S.market, createdAtMillis: 1_000)]
        let report = Reconciler().reconcile(Self.input(paper: paper.positions, actual: ledger.actualPositions, journal: journal,
                                                       known: ledger.venueKnownOrderIDs, now: 60_000, asOf: 60_000))
        #expect(report.isInSync && ledger.order(S.orderID(1))?.state == .filled)
    }

    /// REC-05: a venue order the journal does not know is an orphan, in the first cycle.
    @Test func aVenueOrderUnknownToTheJournalIsAnOrphan() throws {
        let order = VenueOrder(orderID: "0xABC", market: S.market, token: S.up, side: .buy, size: Shares(micros: 5_000_000),
                               matched: Shares(micros: 0), price: Price(micros: 450_000), createdAtMillis: Self.now - 2_000)
        let orphan = try #require(Self.findings(Self.input(venue: [order])).first)
        #expect(orphan.kind == .orphanOrder && orphan.subject == "0xabc" && orphan.severity == .critical)
        #expect(orphan.message == "venue order 0xabc (BUY 5.00 @ 0.45, 0.00 matched) is not in the journal")
        #expect(Self.findings(Self.input(journal: [JournalOrder(orderID: "0xabc", market: S.market, createdAtMillis: Self.now - 2_000)], venue: [order])).isEmpty)
        // Made after the journal was read (within the venue's one-second rounding): not judged yet.
        let newer = VenueOrder(orderID: "0xdef", market: S.market, token: S.up, side: .buy, size: Shares(micros: 1_000_000),
                               matched: Shares(micros: 0), price: Price(micros: 450_000), createdAtMillis: Self.now - 999)
        #expect(Self.findings(Self.input(venue: [newer])).isEmpty)
    }

    /// A venue list read before the journal (this cycle's venue read failed, the last good one is
    /// kept) may still show an order that ended since: not an orphan until a newer read lists it.
    @Test func anOlderVenueListThanTheJournalFindsNoOrphan() throws {
        let order = VenueOrder(orderID: "0xabc", market: S.market, token: S.up, side: .buy, size: Shares(micros: 5_000_000),
                               matched: Shares(micros: 0), price: Price(micros: 450_000), createdAtMillis: Self.now - 5_000)
        var input = Self.input(venue: [order])
        input.venueOpenOrders.asOfMillis = Self.now - 300
        #expect(Self.findings(input).isEmpty)
        input.venueOpenOrders.asOfMillis = Self.now
        #expect(Self.findings(input).map(\.kind) == [.orphanOrder])
    }

    /// The paper counts a resting order in full until a venue read says what it matched: a paper
    /// change newer than the last venue read settles, however old; once read, it is judged.
    @Test func aPaperChangeTheVenueHasNotBeenReadSinceIsSettling() {
        let policy = ReconciliationPolicy(gracePeriodMillis: 1_000)
        var input = Self.input(paper: [Self.paper(5_000_000, 400_000, at: Self.now - 5_000)], actual: [])
        input.venueOpenOrders.asOfMillis = Self.now - 5_001
        let report = Reconciler(policy: policy).reconcile(input)
        #expect(report.findings.isEmpty && report.settling == [Self.key] && !report.isInSync)
        input.venueOpenOrders.asOfMillis = Self.now - 5_000
        #expect(Self.findings(input, policy: policy).map(\.kind) == [.positionMismatch])
    }

    /// REC-06: a journal order the venue never heard of alarms once the grace period has passed.
    @Test func aJournalOrderTheVenueNeverHeardOfIsMissingAfterGrace() throws {
        let young = JournalOrder(orderID: "0x01", market: S.market, createdAtMillis: Self.now - 29_999)
        let old = JournalOrder(orderID: "0x02", market: S.market, createdAtMillis: Self.now - 30_000)
        let findings = Self.findings(Self.input(journal: [young, old]))
        #expect(findings.map(\.subject) == ["0x02"] && findings.first?.kind == .missingOrder && findings.first?.severity == .warning)
        // The venue reported it once (a fill, a placement answer): it ended, it is not missing.
        #expect(Self.findings(Self.input(journal: [young, old], known: ["0x02"])).isEmpty)
    }

    /// REC-08: an input older than the limit is a stale-input finding, and what depends on it is
    /// not compared (never "in sync").
    @Test func staleInputsAreReportedAndNotCompared() {
        let diverged = (paper: [Self.paper(10_000_000, 500_000)], actual: [Self.actual(0, 0)])
        var input = Self.input(paper: diverged.paper, actual: diverged.actual)
        input.actual.asOfMillis = Self.now - 30_001
        let report = Reconciler().reconcile(input)
        #expect(report.findings.map(\.kind) == [.staleInput] && report.findings.first?.subject == "fills" && !report.isInSync)
        #expect(report.findings.first?.message == "fills input is 30 s old (limit 30 s)")
        input.actual.asOfMillis = Self.now - 30_000
        #expect(Reconciler().reconcile(input).findings.map(\.kind) == [.positionMismatch])
    }

    @Test func theHaltDecisionFollowsTheConfiguredSeverity() {
        let warning = Finding(kind: .missingOrder, severity: .warning, subject: "0x1",
                              detail: .missingOrder(JournalOrder(orderID: "0x1", market: "m", createdAtMillis: 0), ageMillis: 40_000))
        let critical = Finding(kind: .orphanOrder, severity: .critical, subject: "0x2",
                               detail: .orphanOrder(VenueOrder(orderID: "0x2", market: "m", token: S.up, side: .buy, size: Shares(micros: 1),
                                                               matched: Shares(micros: 0), price: Price(micros: 1), createdAtMillis: nil)))
        #expect(ReconciliationPolicy().shouldHalt([warning, critical]) && !ReconciliationPolicy().shouldHalt([warning]))
        #expect(ReconciliationPolicy(haltAt: .warning).shouldHalt([warning]))
        #expect(!ReconciliationPolicy(haltAt: nil).shouldHalt([critical]))
        let softer = ReconciliationPolicy(severities: [.orphanOrder: .warning])
        #expect(softer.severity(of: .orphanOrder) == .warning && softer.severity(of: .ghostFill) == .critical)
    }

    @Test func thePaperBookCountsEachActionOnceAndFollowsItsSettlement() throws {
        var paper = PaperBook()
        let first = paper.accept(actionID: "a1", key: Self.key, side: .buy, size: Shares(micros: 10_000_000), expectedPrice: Price(micros: 500_000), atMillis: 1)
        let again = paper.accept(actionID: "a1", key: Self.key, side: .buy, size: Shares(micros: 10_000_000), expectedPrice: Price(micros: 500_000), atMillis: 2)
        #expect(first && !again)
        paper.accept(actionID: "a2", key: Self.key, side: .buy, size: Shares(micros: 10_000_000), expectedPrice: Price(micros: 600_000), atMillis: 3)
        #expect(paper.positions == [PaperPosition(key: Self.key, size: Signed(micros: 20_000_000), averagePrice: Price(micros: 550_000), lastChangeMillis: 3)])
        // a2 was cancelled after 4 of its 10 shares.
        let settled = paper.settle(actionID: "a2", filled: Shares(micros: 4_000_000), atMillis: 9)
        #expect(settled)
        let position = try #require(paper.positions.first)
        // (10 × 0.50 + 4 × 0.60) / 14 = 0.528571…, half up.
        #expect(position.size == Signed(micros: 14_000_000) && position.averagePrice == Price(micros: 528_571) && position.lastChangeMillis == 9)
        paper.resolve(market: S.market, winner: S.down, atMillis: 20)
        #expect(paper.positions.first?.size == .zero && paper.positions.first?.lastChangeMillis == 20)
    }
}
