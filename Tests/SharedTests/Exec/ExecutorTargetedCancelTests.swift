import Foundation
import Synchronization
import Testing
import PolypipeTesting
import Bus
import Execution
import JournalStore
import PolypipeCore
import VenueClient

/// Targeted cancels (topic "cancel", `polypipe cancel`): by order id, by action id, by market;
/// exactly one target; a request id executed at most once across restarts; only what the venue
/// confirms is cancelled (CAN-02), and no answer leaves the order tracked (CAN-04).
@Suite struct ExecutorTargetedCancelTests {
    /// What the executor published, in order.
    final class Events: Sendable {
        let orders = Mutex<[Polypipe_Bus_V1_OrderEvent]>([])
        let cancels = Mutex<[Polypipe_Bus_V1_CancelEvent]>([])
        init(_ executor: Executor) {
            executor.onEvent = { event in self.orders.withLock { $0.append(event) } }
            executor.onCancelEvent = { event in self.cancels.withLock { $0.append(event) } }
        }
        var lastCancel: Polypipe_Bus_V1_CancelEvent? { cancels.withLock { $0.last } }
        func orders(_ outcome: Polypipe_Bus_V1_Outcome) -> [Polypipe_Bus_V1_OrderEvent] { orders.withLock { $0.filter { $0.outcome == outcome } } }
    }

    static func request(_ id: String, orderID: String = "", actionID: String = "", market: String = "", token: String = "") -> Polypipe_Bus_V1_CancelRequest {
        var request = Polypipe_Bus_V1_CancelRequest()
        request.id = id
        request.orderID = orderID
        request.actionID = actionID
        request.market = market
        request.tokenID = token
        request.strategy = "test"
        return request
    }

    /// Places a BUY of 5 shares at 0.50 in `market`; returns its order id.
    static func place(_ executor: Executor, _ id: String, market: FakeMarket = FakeMarket.standard[0]) -> String {
        var action = ExecutorSubmissionTests.action(id)
        action.market = market.condition
        action.tokenID = market.tokens[0]
        let event = executor.handle(action, receivedAtNanos: BusClock.nowNanos())
        #expect(event.outcome == .accepted)
        return event.orderID
    }

    static func journalState(_ journal: Journal, _ actionID: String) throws -> Journal.State? { try journal.entry(actionID: actionID)?.state }

    @Test func byOrderIDCancelsThatOrderOnlyAndReleasesItsExposure() throws {
        let venue = FakeVenue()
        let test = try TestExecutor(venue: venue)
        defer { test.remove() }
        let events = Events(test.executor)
        let first = Self.place(test.executor, "a-1")
        _ = Self.place(test.executor, "a-2")
        let before = test.status.totalExposureMicros

        let event = test.executor.handle(Self.request("r-1", orderID: first), receivedAtNanos: 0)

        #expect(event.outcome == .cancelDone)
        #expect(event.canceled == [first.lowercased()])
        #expect(event.requestID == "r-1")
        #expect(events.lastCancel?.requestID == "r-1", "published on the bus")
        #expect(venue.requests(to: "/order", method: "DELETE").count == 1)
        #expect(venue.orders(in: "LIVE").count == 1)
        #expect(try Self.journalState(test.journal, "a-1") == .canceled)
        #expect(try Self.journalState(test.journal, "a-2") == .accepted)
        #expect(test.status.openOrders == 1)
        #expect(test.status.totalExposureMicros == before / 2)
        #expect(test.status.ordersCanceled == 1)
        #expect(events.orders(.canceled).map(\.actionID) == ["a-1"], "an order event CANCELED for the cancelled order")
    }

    @Test func byActionIDCancelsTheOrderTheJournalHoldsForIt() throws {
        let venue = FakeVenue()
        let test = try TestExecutor(venue: venue)
        defer { test.remove() }
        _ = Self.place(test.executor, "b-1")
        let second = Self.place(test.executor, "b-2")

        let event = test.executor.handle(Self.request("r-2", actionID: "b-2"), receivedAtNanos: 0)

        #expect(event.outcome == .cancelDone)
        #expect(event.canceled == [second.lowercased()])
        #expect(try Self.journalState(test.journal, "b-2") == .canceled)
        #expect(try Self.journalState(test.journal, "b-1") == .accepted)
    }

    @Test func byMarketCancelsOnlyThatMarketsOrders() throws {
        let venue = FakeVenue()
        let test = try TestExecutor(venue: venue)
        defer { test.remove() }
        let (one, other) = (FakeMarket.standard[0], FakeMarket.standard[1])
        _ = Self.place(test.executor, "m-1", market: one)
        _ = Self.place(test.executor, "m-2", market: one)
        let kept = Self.place(test.executor, "m-3", market: other)

        let event = test.executor.handle(Self.request("r-3", market: one.condition), receivedAtNanos: 0)

        #expect(event.outcome == .cancelDone)
        #expect(event.canceled.count == 2)
        #expect(venue.requests(to: "/cancel-market-orders", method: "DELETE").count == 1)
        #expect(venue.orders(in: "LIVE").map(\.id) == [kept.lowercased()])
        #expect(Array(test.executor.live.keys) == [OrderID(kept)])
        #expect(try Self.journalState(test.journal, "m-1") == .canceled)
        #expect(try Self.journalState(test.journal, "m-3") == .accepted)
    }

    @Test(arguments: [
        (ExecutorTargetedCancelTests.request("x-1"), "no target"),
        (ExecutorTargetedCancelTests.request("x-2", orderID: "0x" + String(repeating: "a", count: 64), actionID: "a"), "more than one target"),
        (ExecutorTargetedCancelTests.request("x-3", orderID: "0x1234"), "is not an order id"),
        (ExecutorTargetedCancelTests.request("x-4", market: "0xzz"), "is not a condition id"),
        (ExecutorTargetedCancelTests.request("x-5", token: "1"), "set market too"),
        (ExecutorTargetedCancelTests.request("x-6", orderID: "0x" + String(repeating: "b", count: 64)), "is not an order of this exec-proc"),
        (ExecutorTargetedCancelTests.request("x-7", actionID: "never-placed"), "no order was placed for action never-placed"),
        (ExecutorTargetedCancelTests.request("", actionID: "a"), "id is empty"),
    ])
    func aRequestWithoutExactlyOneOfOurOrdersIsRefusedNamingWhy(request: Polypipe_Bus_V1_CancelRequest, why: String) throws {
        let venue = FakeVenue()
        let test = try TestExecutor(venue: venue)
        defer { test.remove() }
        _ = Self.place(test.executor, "a")

        let event = test.executor.handle(request, receivedAtNanos: 0)

        #expect(event.outcome == .cancelRefused)
        #expect(event.reason.contains(why), "\(event.reason)")
        #expect(venue.requestLines.filter { $0.hasPrefix("DELETE") }.isEmpty, "nothing sent")
        #expect(test.status.openOrders == 1)
    }

    @Test func aRequestIDIsExecutedAtMostOnceAcrossARestart() throws {
        let venue = FakeVenue()
        let test = try TestExecutor(venue: venue)
        defer { test.remove() }
        let order = Self.place(test.executor, "d-1")
        #expect(test.executor.handle(Self.request("r-dup", orderID: order), receivedAtNanos: 0).outcome == .cancelDone)
        #expect(test.executor.handle(Self.request("r-dup", orderID: order), receivedAtNanos: 0).outcome == .cancelDuplicate)

        let restarted = try TestExecutor(venue: venue, reopening: test.directory)
        let again = restarted.executor.handle(Self.request("r-dup", actionID: "d-1"), receivedAtNanos: 0)

        #expect(again.outcome == .cancelDuplicate)
        #expect(venue.requests(to: "/order", method: "DELETE").count == 1, "sent once")
    }

    /// CAN-02: the order filled before the venue processed the cancel.
    @Test func anOrderAlreadyMatchedIsNotMarkedCanceledAndKeepsItsExposure() throws {
        let venue = FakeVenue()
        let test = try TestExecutor(venue: venue)
        defer { test.remove() }
        let order = Self.place(test.executor, "f-1")
        let before = test.status.totalExposureMicros
        venue.withState { $0.orders[order.lowercased()]?.status = "MATCHED" }

        let event = test.executor.handle(Self.request("r-f", orderID: order), receivedAtNanos: 0)

        #expect(event.outcome == .cancelFailed)
        #expect(event.canceled.isEmpty)
        #expect(event.notCanceled[order.lowercased()] == "Order already matched")
        #expect(try Self.journalState(test.journal, "f-1") == .accepted, "not marked canceled: the fill will come")
        #expect(test.status.openOrders == 1)
        #expect(test.status.totalExposureMicros == before)
    }

    /// CAN-04: a 5xx leaves it open whether the order was cancelled (here it was).
    @Test func aCancelWithNoAnswerIsUnknownAndTheOrderStaysTracked() throws {
        let venue = FakeVenue()
        let test = try TestExecutor(venue: venue)
        defer { test.remove() }
        let order = Self.place(test.executor, "u-1")
        let before = test.status.totalExposureMicros
        venue.script("/order") { [unowned venue] request in
            guard request.method == "DELETE" else { return nil }
            venue.withState { $0.orders[order.lowercased()]?.status = "CANCELED" }
            return FakeVenue.answer(502, #"{"error": "bad gateway"}"#)
        }

        let event = test.executor.handle(Self.request("r-u", orderID: order), receivedAtNanos: 0)

        #expect(event.outcome == .cancelUnknown)
        #expect(test.executor.live[OrderID(order)] != nil, "still tracked until the venue shows the truth")
        #expect(test.status.totalExposureMicros == before)
        #expect(try Self.journalState(test.journal, "u-1") == .accepted)
    }

    @Test func cancelsGoOutWhenHaltedAndDryRunSendsNothing() throws {
        let venue = FakeVenue()
        // The kill switch off: with it, the halt itself would have cancelled the order.
        var configuration = Executor.Configuration(mode: .paper, owner: TestExecutor.credentials.apiKey)
        configuration.haltCancelsOrders = false
        let test = try TestExecutor(venue: venue, configuration: configuration)
        defer { test.remove() }
        let order = Self.place(test.executor, "h-1")
        test.executor.setState(.halted, reason: "test")
        #expect(test.executor.handle(Self.request("r-h", orderID: order), receivedAtNanos: 0).outcome == .cancelDone)

        let dry = try TestExecutor(venue: venue, configuration: .init(mode: .dryRun, owner: TestExecutor.credentials.apiKey))
        defer { dry.remove() }
        let deletes = venue.requestLines.filter { $0.hasPrefix("DELETE") }.count
        let event = dry.executor.handle(Self.request("r-d", market: FakeMarket.standard[0].condition), receivedAtNanos: 0)
        #expect(event.outcome == .cancelDone)
        #expect(event.reason.contains("dry-run: nothing sent"))
        #expect(venue.requestLines.filter { $0.hasPrefix("DELETE") }.count == deletes)
    }
}
