import Foundation
import Logging
import Synchronization
import Testing
import PolypipeTesting
import Bus
import Execution
import JournalStore
import PolypipeCore
import VenueClient

/// Orders posted through an ``OrderSender`` (several connections at once) and what must stay
/// true around them: every order settled exactly once, cancel-all after the orders in flight,
/// and orders with no proof either way counted as exposure when it is rebuilt from the venue.
@Suite struct ExecutorSubmissionTests {
    static let key = ExecutorPropertyTests.key
    static let market = FakeMarket.standard[0]

    /// The property tests' fake venue, with `/order` answered by `order` after `delayMillis`,
    /// and a log of requests (path, and when each `/order` started and ended).
    final class Venue: HTTPTransport {
        enum Answer: Sendable { case live, serverError }
        struct Log: Sendable {
            var paths: [String] = []
            var ordersInFlight = 0
            var maxOrdersInFlight = 0
            var ordersDone = 0
            /// How many `/order` answers had been sent when each `/cancel-all` arrived.
            var ordersDoneAtCancel: [Int] = []
        }
        let delayMillis: UInt32
        let answer: Answer
        let log = Mutex(Log())

        init(delayMillis: UInt32, answer: Answer = .live) {
            self.delayMillis = delayMillis
            self.answer = answer
        }

        func send(_ request: VenueClient.HTTPRequest) throws(TransportError) -> HTTPResponse {
            let path = String(request.target.split(separator: "?").first ?? "")
            log.withLock { $0.paths.append(path) }
            switch path {
            case "/order":
                log.withLock { $0.ordersInFlight += 1; $0.maxOrdersInFlight = max($0.maxOrdersInFlight, $0.ordersInFlight) }
                usleep(delayMillis * 1_000)
                log.withLock { $0.ordersInFlight -= 1; $0.ordersDone += 1 }
                if answer == .serverError { return HTTPResponse(status: 500, headers: [], body: Array(#"{"error": "internal"}"#.utf8)) }
                return HTTPResponse(status: 200, headers: [], body: Array(#"{"success": true, "errorMsg": "", "orderID": "\#(FakeVenue.orderID(ofBody: request.body))", "status": "live", "makingAmount": "", "takingAmount": "", "tradeIDs": [], "transactionsHashes": []}"#.utf8))
            case "/cancel-all":
                log.withLock { $0.ordersDoneAtCancel.append($0.ordersDone) }
                return HTTPResponse(status: 200, headers: [], body: Array(#"{"canceled": [], "not_canceled": {}}"#.utf8))
            case _ where path.hasPrefix("/data/order/"):
                return HTTPResponse(status: 404, headers: [], body: Array(#"{"error": "not found"}"#.utf8))
            default:
                return try FakeVenue().send(request)
            }
        }
    }

    struct Harness {
        let executor: Executor
        let journal: Journal
        let directory: String
    }

    static func harness(_ venue: Venue, connections: Int, rateLimits: RateLimitPacer? = nil) throws -> Harness {
        let directory = NSTemporaryDirectory() + "exec-submit-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let journal = try Journal(path: directory + "/journal.sqlite")
        let credentials = ApiCredentials(apiKey: "00000000-0000-0000-0000-000000000000", secret: "c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0", passphrase: "p")
        let l2 = try L2Signer(credentials: credentials, address: key.address)
        let client = ClobClient(transport: venue, chain: .polygon, l2: l2, rateLimits: rateLimits)
        let executor = try Executor(configuration: .init(mode: .paper, owner: credentials.apiKey), journal: journal, venue: client,
                                    builder: OrderBuilder(signer: OrderSigner(key: key, chain: .polygon), signatureType: .eoa, funder: nil),
                                    limits: RiskLimits.paperDefaults, health: VenueHealth(healthy: true), logger: Logger(label: "test"))
        try executor.reconcileAtStartup()
        if connections > 0 {
            executor.sender = try OrderSender(clients: (0..<connections).map { _ in ClobClient(transport: venue, chain: .polygon, l2: l2, rateLimits: rateLimits) })
        }
        return Harness(executor: executor, journal: journal, directory: directory)
    }

    static func action(_ id: String) -> Polypipe_Bus_V1_Action {
        var action = Polypipe_Bus_V1_Action()
        action.id = id
        action.market = market.condition
        action.tokenID = market.tokens[0]
        action.side = .buy
        action.sizeMicros = 5_000_000
        action.limitPriceMicros = 500_000
        action.expectedPriceMicros = 500_000
        action.createdAtMs = BusClock.nowMillis()
        action.ttlMs = 30_000
        return action
    }

    /// Polls like exec-proc's loop until `done` or 5 s.
    static func settle(_ executor: Executor, until done: () -> Bool) {
        let deadline = BusClock.nowMillis() + 5_000
        while !done() && BusClock.nowMillis() < deadline {
            usleep(1_000)
            executor.completeSubmissions()
        }
    }

    @Test func ordersGoOutOnSeveralConnectionsAndEachIsSettledOnce() throws {
        let venue = Venue(delayMillis: 30)
        let harness = try Self.harness(venue, connections: 4)
        defer { harness.executor.sender?.stop(); try? FileManager.default.removeItem(atPath: harness.directory) }
        var events: [Polypipe_Bus_V1_OrderEvent] = []
        harness.executor.onEvent = { events.append($0) }

        for index in 0..<8 {
            let handed = harness.executor.handle(Self.action("a\(index)"), receivedAtNanos: BusClock.nowNanos())
            #expect(handed.outcome == .unspecified, "handed to the sender, not settled yet")
        }
        #expect(harness.executor.inFlightCount == 8)
        Self.settle(harness.executor) { harness.executor.inFlightCount == 0 }

        #expect(harness.executor.inFlightCount == 0)
        #expect(events.count == 8)
        #expect(events.allSatisfy { $0.outcome == .accepted && $0.sentAtNs > 0 })
        #expect(Set(events.map(\.actionID)).count == 8)
        let entries = try harness.journal.entries(in: Journal.State.allCases)
        #expect(entries.count == 8)
        #expect(entries.allSatisfy { $0.state == .accepted })
        #expect(harness.executor.live.count == 8)
        // Four connections, 30 ms per answer: several orders were on the wire together.
        #expect(venue.log.withLock { $0.maxOrdersInFlight } >= 2)
    }

    @Test func cancelAllWaitsForOrdersInFlight() throws {
        let venue = Venue(delayMillis: 150)
        let harness = try Self.harness(venue, connections: 2)
        defer { harness.executor.sender?.stop(); try? FileManager.default.removeItem(atPath: harness.directory) }
        for index in 0..<2 { harness.executor.handle(Self.action("c\(index)"), receivedAtNanos: BusClock.nowNanos()) }
        #expect(harness.executor.inFlightCount == 2)

        let result = harness.executor.cancelAll(reason: "test")
        #expect(result.error == nil)
        #expect(harness.executor.inFlightCount == 0)
        // The venue had answered both orders before the cancel-all reached it.
        #expect(venue.log.withLock { $0.ordersDoneAtCancel } == [2])
    }

    @Test func unknownOrdersStayExposureWhenExposureIsRebuiltFromTheVenue() throws {
        // Every submit answers 500: outcome unknown, and the venue lists no open order.
        let venue = Venue(delayMillis: 0, answer: .serverError)
        let harness = try Self.harness(venue, connections: 0)
        defer { try? FileManager.default.removeItem(atPath: harness.directory) }
        let event = harness.executor.handle(Self.action("u1"), receivedAtNanos: BusClock.nowNanos())
        #expect(event.outcome == .unknown)
        let reserved = harness.executor.risk.totalExposure
        #expect(reserved == 2_500_000)  // 5 shares at 0.50

        try harness.executor.resynchronize()
        #expect(harness.executor.unknownCount == 1)
        #expect(harness.executor.risk.totalExposure == reserved, "an order that may rest on the venue still counts at full size")
    }
}
