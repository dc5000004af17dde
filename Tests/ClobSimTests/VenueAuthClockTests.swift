@testable import clob_sim
import Testing
import PolypipeCore
import VenueClient

/// Request signatures carry the client's wall-clock time: a venue whose own clock is replayed
/// (days in the past) or sped up judges them on its auth clock, not on the sim's.
@Suite struct VenueAuthClockTests {
    static let alice = try! PrivateKey(hex: "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80")

    func keyRequest(at seconds: Int64) throws -> SimRequest {
        let headers = try L1Headers(key: Self.alice, chain: .polygon, timestamp: String(seconds), nonce: UInt256(UInt64(0)))
        return SimRequest(method: "POST", target: "/auth/api-key", headers: Dictionary(uniqueKeysWithValues: headers.headers.map { ($0.name, $0.value) }))
    }

    @Test func aReplayedClockDoesNotMakeFreshSignaturesStale() async throws {
        let wall = ManualClock()
        let replayed = ManualClock()
        replayed.advance(millis: -3 * 86_400_000)  // the recording is three days old
        let venue = Venue(configuration: .init(), catalog: .staticSet(), clock: { replayed.read() }, authClock: { wall.read() })
        let signedNow = try keyRequest(at: wall.read() / 1000)
        #expect(await venue.handle(signedNow).status == 200)
        // Without an auth clock the sim's own clock judges: the same fresh signature is refused.
        let judgedBySimClock = Venue(configuration: .init(), catalog: .staticSet(), clock: { replayed.read() })
        #expect(await judgedBySimClock.handle(signedNow).status == 401)
    }
}
