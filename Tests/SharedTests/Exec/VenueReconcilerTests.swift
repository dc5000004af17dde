import Testing
import VenueClient
import Execution
import JournalStore

/// ``VenueReconciler``'s verdicts, one table per question. The thread through all of them:
/// what the venue does not know is never *rejected*.
@Suite struct VenueReconcilerTests {
    @Test(arguments: [
        ("LIVE", Journal.State.accepted), ("ORDER_STATUS_LIVE", .accepted), ("DELAYED", .accepted), ("matched", .filled),
        ("CANCELED", .canceled), ("CANCELED_MARKET_RESOLVED", .canceled), ("INVALID", .canceled), ("UNMATCHED", .canceled),
        ("SOMETHING_NEW", .accepted),
    ])
    func venueStatusesMapOntoJournalStates(status: String, state: Journal.State) {
        #expect(VenueReconciler.journalState(venueStatus: VenueOrderStatus(text: status)) == state)
    }

    @Test func startupVerdicts() {
        #expect(VenueReconciler.startup(journaled: .signed, listed: true, found: nil) == .live(markAccepted: true))
        #expect(VenueReconciler.startup(journaled: .accepted, listed: true, found: nil) == .live(markAccepted: false))
        #expect(VenueReconciler.startup(journaled: .unknown, listed: false, found: "MATCHED") == .settled(.filled))
        #expect(VenueReconciler.startup(journaled: .unknown, listed: false, found: "LIVE") == .settled(.accepted))
        #expect(VenueReconciler.startup(journaled: .accepted, listed: false, found: nil) == .gone)
        #expect(VenueReconciler.startup(journaled: .signed, listed: false, found: nil) == .unknown, "no trace of a signed order: unknown, not rejected")
        #expect(VenueReconciler.startup(journaled: .unknown, listed: false, found: nil) == .unknown)
    }

    @Test func aVanishedOrderIsHeldByTheTakerDelayOnlyWithinItsGrace() {
        let grace = VenueReconciler.delayedGraceMillis
        #expect(VenueReconciler.vanished(found: "DELAYED", delayedSinceMillis: 0, nowMillis: grace * 5) == .heldByDelay, "the venue says so")
        #expect(VenueReconciler.vanished(found: nil, delayedSinceMillis: 0, nowMillis: grace - 1) == .heldByDelay)
        #expect(VenueReconciler.vanished(found: nil, delayedSinceMillis: 0, nowMillis: grace) == .final(.canceled), "the grace edge is exclusive")
        #expect(VenueReconciler.vanished(found: "MATCHED", delayedSinceMillis: 0, nowMillis: 1) == .final(.filled))
        #expect(VenueReconciler.vanished(found: "DELAYED", delayedSinceMillis: nil, nowMillis: 1) == .final(.canceled),
                "never accepted as delayed: not listed means not resting")
        #expect(VenueReconciler.vanished(found: "LIVE", delayedSinceMillis: nil, nowMillis: 1) == .final(.canceled))
        #expect(VenueReconciler.vanished(found: nil, delayedSinceMillis: nil, nowMillis: 1) == .final(.canceled))
    }

    @Test func unknownOutcomeVerdicts() {
        let current = TrackedOrders.Unresolved(body: [1], expiresAtMillis: 10_000)
        var resent = current
        resent.resent = true
        func verdict(_ found: VenueOrderStatus?, age: Int64, _ unresolved: TrackedOrders.Unresolved = current, now: Int64 = 5_000) -> VenueReconciler.UnknownVerdict {
            VenueReconciler.unknown(found: found, ageMillis: age, unresolved: unresolved, nowMillis: now, graceMillis: 60_000, resendAfterMillis: 2_000)
        }
        #expect(verdict("LIVE", age: 0) == .resolved(.accepted))
        #expect(verdict("MATCHED", age: 70_000) == .resolved(.filled), "found wins over the grace period")
        #expect(verdict(nil, age: 1_999) == .wait)
        #expect(verdict(nil, age: 2_000) == .resend, "the resend edge is inclusive")
        #expect(verdict(nil, age: 2_000, resent) == .wait, "sent again once only")
        #expect(verdict(nil, age: 2_000, now: 10_000) == .expired, "its action expired: never placed late")
        #expect(verdict(nil, age: 59_999, resent) == .wait)
        #expect(verdict(nil, age: 60_000, resent) == .absent, "absent, never rejected")
    }
}
