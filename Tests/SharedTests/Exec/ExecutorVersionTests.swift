import Foundation
import Logging
import Synchronization
import Testing
import PolypipeTesting
import JournalStore
import PolypipeCore
import VenueClient

/// VER-02: the venue moved to another order version between two orders. The one case where an
/// action is signed twice: the first order is proven rejected (`order_version_mismatch`), the
/// version is read again once, and the action is re-signed once for the new exchange.
@Suite struct ExecutorVersionTests {
    /// The property tests' fake venue, except that `/version` says 2 until the first `/order`,
    /// which it rejects with `order_version_mismatch` and from then on says 3.
    final class FlippingVenue: HTTPTransport {
        struct Log: Sendable {
            var orderBodies: [[UInt8]] = []
            var versionReads = 0
            var flipped = false
        }
        let log = Mutex(Log())
        /// Every order mismatches (a venue that keeps changing its mind).
        let alwaysMismatch: Bool

        init(alwaysMismatch: Bool = false) { self.alwaysMismatch = alwaysMismatch }

        func send(_ request: VenueClient.HTTPRequest) throws(TransportError) -> HTTPResponse {
            let path = String(request.target.split(separator: "?").first ?? "")
            switch path {
            case "/version":
                let version = log.withLock { log in
                    log.versionReads += 1
                    return log.flipped ? 3 : 2
                }
                return HTTPResponse(status: 200, headers: [], body: Array(#"{"version": \#(version)}"#.utf8))
            case "/order":
                let first = log.withLock { log in
                    log.orderBodies.append(request.body ?? [])
                    defer { log.flipped = true }
                    return !log.flipped
                }
                if first || alwaysMismatch {
                    return HTTPResponse(status: 400, headers: [], body: Array(#"{"error": "order_version_mismatch"}"#.utf8))
                }
                // Accepted under the exchange the venue now runs (version 3).
                let id = FakeVenue.orderID(ofBody: request.body, exchange: .v3)
                return HTTPResponse(status: 200, headers: [], body: Array(#"{"success": true, "errorMsg": "", "orderID": "\#(id)", "status": "live", "makingAmount": "", "takingAmount": "", "tradeIDs": [], "transactionsHashes": []}"#.utf8))
            default:
                return try FakeVenue().send(request)
            }
        }
    }

    @Test func aVersionMismatchReadsTheVersionOnceAndReSignsOnceForTheNewExchange() throws {
        let venue = FlippingVenue()
        let test = try TestExecutor(venue: venue)
        defer { test.remove() }
        let (executor, journal) = (test.executor, test.journal)
        let readsBefore = venue.log.withLock { $0.versionReads }

        let event = executor.handle(ExecutorSubmissionTests.action("v-1"), receivedAtNanos: BusClock.nowNanos())

        #expect(event.outcome == .accepted, "\(event.reason)")
        let log = venue.log.withLock { $0 }
        #expect(log.orderBodies.count == 2, "one rejected order, one re-signed order; nothing more")
        #expect(log.versionReads == readsBefore + 1, "/version read once more after the mismatch")
        let bodies = try log.orderBodies.map { try JSONParser.parse($0) }
        // Which exchange's domain each order was signed for: the signer recovers only there.
        func signer(_ body: JSONValue, _ exchange: Exchange) throws -> EthereumAddress? {
            let decoded = try OrderPayload.decode(body)
            return try? OrderVerifier.verify(decoded.order, signature: decoded.signature, exchange: exchange, chain: .polygon).signingKey
        }
        let key = ExecutorSubmissionTests.key.address
        #expect(try signer(bodies[0], .ctfV2) == key && signer(bodies[0], .v3) != key, "the first order: version 2")
        #expect(try signer(bodies[1], .v3) == key && signer(bodies[1], .ctfV2) != key, "re-signed for the version-3 exchange")
        let entries = try journal.entries(in: Journal.State.allCases)
        #expect(entries.count == 1, "the action is journaled once, its row now holds the re-signed order")
        #expect(entries.first?.actionID == "v-1" && entries.first?.state == .accepted)
        #expect(entries.first?.orderHash == event.orderID && !event.orderID.isEmpty)
    }

    @Test func aSecondMismatchIsARejectionNotAnotherSignature() throws {
        let venue = FlippingVenue(alwaysMismatch: true)
        let test = try TestExecutor(venue: venue)
        defer { test.remove() }
        let event = test.executor.handle(ExecutorSubmissionTests.action("v-2"), receivedAtNanos: BusClock.nowNanos())
        #expect(event.outcome == .rejected)
        #expect(event.reason.contains("order_version_mismatch"))
        #expect(venue.log.withLock { $0.orderBodies.count } == 2, "re-signed once, never twice")
    }
}
