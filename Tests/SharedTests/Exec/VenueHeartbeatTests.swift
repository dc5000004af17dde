import Foundation
import Logging
import Synchronization
import Testing
import Execution
import PolypipeCore
import VenueClient

/// HB-06: the heartbeat is tied to the execution loop's health.
@Suite struct VenueHeartbeatTests {
    /// Answers every heartbeat with a new id and counts them.
    final class Beats: HTTPTransport {
        let count = Atomic<Int>(0)

        func send(_ request: VenueClient.HTTPRequest) throws(TransportError) -> HTTPResponse {
            let n = count.add(1, ordering: .relaxed).newValue
            return HTTPResponse(status: 200, headers: [], body: Array(#"{"heartbeat_id": "hb-\#(n)"}"#.utf8))
        }
    }

    /// A client that signs its calls (heartbeats are L2) and talks to `venue`.
    func client(_ venue: Beats) throws -> ClobClient {
        let credentials = ApiCredentials(apiKey: "00000000-0000-0000-0000-000000000000", secret: "c2VjcmV0", passphrase: "p")
        return ClobClient(transport: venue, chain: .polygon,
                          l2: try L2Signer(credentials: credentials, address: EthereumAddress("0x70997970C51812dc3A010C7d01b50e0d17dc79C8")))
    }

    func waitUntil(_ seconds: Double, _ condition: () -> Bool) -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if condition() { return true }
            usleep(20_000)
        }
        return condition()
    }

    /// HB-03's trigger: heartbeats missing past the venue's dead-man window are reported once
    /// per lapse, to the loop that must reconcile — whether the loop sees the silence itself or
    /// a heartbeat thread frozen along with it succeeds first; never before the first success.
    @Test func aLapsePastTheWindowIsReportedOnce() {
        let health = VenueHealth(lapseAfterMillis: 9_000)
        let start = BusClock.nowMillis()
        #expect(health.newLapse(nowMillis: start + 60_000) == nil, "no heartbeat yet: nothing lapsed")
        health.succeeded(nowMillis: start)
        #expect(health.newLapse(nowMillis: start + 8_000) == nil, "within the window")
        #expect(health.newLapse(nowMillis: start + 10_000) == 10_000, "seen by the loop during the silence")
        #expect(health.newLapse(nowMillis: start + 11_000) == nil, "reported once")
        health.succeeded(nowMillis: start + 12_000)
        #expect(health.newLapse(nowMillis: start + 12_100) == nil, "already reported: not again after the beat")

        // Frozen together: the heartbeat succeeds before the loop looks.
        health.succeeded(nowMillis: start + 15_000)
        health.succeeded(nowMillis: start + 30_000)
        #expect(health.newLapse(nowMillis: start + 30_050) == 15_000, "the gap between two beats")
        #expect(health.newLapse(nowMillis: start + 30_100) == nil)
        health.succeeded(nowMillis: start + 35_000)
        #expect(health.newLapse(nowMillis: start + 35_050) == nil, "a normal interval is no lapse")
    }

    @Test func beatsStopWhileTheLoopIsStalledAndResumeWhenItRunsAgain() throws {
        let venue = Beats()
        let health = VenueHealth()
        let liveness = LoopLiveness(stallLimitMillis: 300)
        let heartbeat = VenueHeartbeat(client: try client(venue), health: health,
                                       intervalMillis: 100, liveness: liveness, logger: Logger(label: "test"))
        let ticking = Atomic<Bool>(true)
        let loop = Thread {
            while ticking.load(ordering: .relaxed) {
                liveness.tick()
                usleep(20_000)
            }
        }
        loop.start()
        heartbeat.start()
        defer { heartbeat.stop() }
        #expect(waitUntil(5) { venue.count.load(ordering: .relaxed) >= 3 }, "a live loop: beats flow")
        #expect(health.isHealthy)

        // The loop deadlocks (stops ticking) while the heartbeat thread itself is fine.
        ticking.store(false, ordering: .relaxed)
        #expect(waitUntil(5) { heartbeat.withheld >= 2 }, "beats withheld once the loop is silent past the limit")
        let frozen = venue.count.load(ordering: .relaxed)
        usleep(600_000)
        #expect(venue.count.load(ordering: .relaxed) == frozen, "no beat reaches the venue while the loop is stalled")
        #expect(!health.isHealthy, "new orders are refused meanwhile")

        // The loop runs again: beats resume.
        liveness.tick()
        ticking.store(true, ordering: .relaxed)
        let again = Thread {
            while ticking.load(ordering: .relaxed) {
                liveness.tick()
                usleep(20_000)
            }
        }
        again.start()
        #expect(waitUntil(5) { venue.count.load(ordering: .relaxed) > frozen + 2 })
        ticking.store(false, ordering: .relaxed)
    }

    @Test func withoutALivenessGateBeatsGoOutRegardless() throws {
        let venue = Beats()
        let heartbeat = VenueHeartbeat(client: try client(venue), health: VenueHealth(),
                                       intervalMillis: 50, logger: Logger(label: "test"))
        heartbeat.start()
        defer { heartbeat.stop() }
        #expect(waitUntil(5) { venue.count.load(ordering: .relaxed) >= 3 })
        #expect(heartbeat.withheld == 0)
    }

    @Test func stalledMeansSilentForLongerThanTheLimit() {
        let liveness = LoopLiveness(stallLimitMillis: 1_000, nowMillis: 10_000)
        #expect(!liveness.isStalled(nowMillis: 11_000), "exactly the limit: not yet")
        #expect(liveness.isStalled(nowMillis: 11_001))
        liveness.tick(nowMillis: 11_500)
        #expect(liveness.silence(nowMillis: 12_000) == 500 && !liveness.isStalled(nowMillis: 12_000))
    }
}
