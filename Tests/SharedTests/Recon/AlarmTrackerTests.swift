import Testing
import PolypipeCore
import Reconciliation

@Suite struct AlarmTrackerTests {
    static func drift(_ missing: Int64) -> Finding {
        let key = FillScenario.upKey
        let comparison = PositionComparison(key: key, paperSize: Signed(micros: 10_000_000), paperPrice: Price(micros: 500_000),
                                            actualSize: Signed(micros: 10_000_000 - missing), actualPrice: Price(micros: 500_000),
                                            actualProvisional: .zero, sizeDifference: Signed(micros: missing),
                                            notionalDifference: Collateral(micros: UInt64(missing) / 2), priceDifference: Price(micros: 0),
                                            sizeBreached: true, priceBreached: false)
        return Finding(kind: .positionMismatch, severity: .critical, subject: "\(key.market)/\(key.token)", detail: .position(comparison))
    }

    static let stale = Finding(kind: .staleInput, severity: .warning, subject: "venue", detail: .staleInput(.venue, ageMillis: 40_000, limitMillis: 30_000))

    /// REC-10: five minutes of divergence at a 10 s cadence, its numbers moving, then clean cycles:
    /// one raise and one clear.
    @Test func oneRaiseAndOneClearPerEpisode() {
        var tracker = AlarmTracker()
        var transitions: [AlarmTracker.Transition] = []
        for cycle in 0..<30 { transitions += tracker.observe([Self.drift(2_000_000 + Int64(cycle) * 10_000)], nowMillis: Int64(cycle) * 10_000) }
        #expect(transitions.count == 1 && tracker.activeFindings.count == 1)
        #expect(tracker.active.values.first?.finding == Self.drift(2_290_000))
        for cycle in 30..<33 { transitions += tracker.observe([], nowMillis: Int64(cycle) * 10_000) }
        #expect(transitions == [.raised(Self.drift(2_000_000), atMillis: 0), .cleared(Self.drift(2_290_000), atMillis: 300_000, durationMillis: 300_000)])
        #expect(tracker.active.isEmpty)
        // A new divergence later is a new episode.
        #expect(tracker.observe([Self.drift(3_000_000)], nowMillis: 400_000).count == 1)
    }

    @Test func alarmsAreKeptApartByKindAndSubjectAndAFlickerCanBeDamped() {
        var tracker = AlarmTracker(clearAfterCycles: 2)
        #expect(tracker.observe([Self.drift(2_000_000), Self.stale, Self.stale], nowMillis: 0).count == 2)
        // Absent for one cycle, back the next: still the same episode, nothing raised or cleared.
        #expect(tracker.observe([Self.stale], nowMillis: 10_000).isEmpty)
        #expect(tracker.observe([Self.drift(2_000_000), Self.stale], nowMillis: 20_000).isEmpty)
        #expect(tracker.observe([Self.stale], nowMillis: 30_000).isEmpty)
        let cleared = tracker.observe([Self.stale], nowMillis: 40_000)
        #expect(cleared == [.cleared(Self.drift(2_000_000), atMillis: 40_000, durationMillis: 40_000)])
        #expect(tracker.activeFindings == [Self.stale])
        #expect(!ReconciliationPolicy().shouldHalt(tracker.activeFindings) && ReconciliationPolicy(haltAt: .warning).shouldHalt(tracker.activeFindings))
    }
}
