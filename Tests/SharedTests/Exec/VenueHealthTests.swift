import Testing
import Execution
import PolypipeCore

/// The fail-closed rule's input: ``VenueHealth`` says yes only while the last heartbeat call
/// succeeded *and* is recent. Both halves are pinned here, the staleness edge included.
@Suite struct VenueHealthTests {
    @Test func aFreshSuccessIsHealthyUpToTheStalenessEdgeInclusive() {
        let health = VenueHealth(staleAfterMillis: 12_000)
        let start = BusClock.nowMillis()
        #expect(!health.isHealthy(nowMillis: start), "no heartbeat yet: not healthy")
        health.succeeded(nowMillis: start)
        #expect(health.isHealthy(nowMillis: start))
        #expect(health.isHealthy(nowMillis: start + 12_000), "exactly staleAfterMillis old: still healthy")
        #expect(!health.isHealthy(nowMillis: start + 12_001), "one millisecond past it: stale, new orders refused")
    }

    /// A heartbeat thread stuck inside a call never reports failure: the last call "succeeded",
    /// yet the venue has heard nothing for a while. Staleness alone must close the gate.
    @Test func aStuckHeartbeatThatNeverFailsGoesStale() {
        let health = VenueHealth(healthy: true, staleAfterMillis: 1_000)
        let start = BusClock.nowMillis()
        health.succeeded(nowMillis: start)
        #expect(health.isHealthy(nowMillis: start + 500))
        #expect(!health.isHealthy(nowMillis: start + 60_000), "no failure reported, but stale")
    }

    @Test func aFailureClosesTheGateUntilTheNextSuccess() {
        let health = VenueHealth(staleAfterMillis: 12_000)
        let start = BusClock.nowMillis()
        health.succeeded(nowMillis: start)
        health.failed()
        #expect(!health.isHealthy(nowMillis: start + 1), "a failed call closes it at once, however recent the last success")
        health.succeeded(nowMillis: start + 2)
        #expect(health.isHealthy(nowMillis: start + 3))
    }
}
