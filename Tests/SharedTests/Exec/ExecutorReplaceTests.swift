import Foundation
import Synchronization
import Testing
import PolypipeTesting
import Bus
import Execution
import JournalStore
import PolypipeCore
import VenueClient

/// Replace: the new order is signed only once the venue confirmed the old one cancelled (or,
/// with place_if_filled, filled). Exposure never counts both orders, both are never live, and a
/// failed or unknown cancel refuses the new order and leaves the old one tracked.
@Suite struct ExecutorReplaceTests {
    typealias Events = ExecutorTargetedCancelTests.Events

    static func replace(_ newID: String, cancelling old: String, placeIfFilled: Bool = false) -> Polypipe_Bus_V1_ReplaceRequest {
        var request = Polypipe_Bus_V1_ReplaceRequest()
        request.cancelOrderID = old
        request.place = ExecutorSubmissionTests.action(newID)
        request.placeIfFilled = placeIfFilled
        return request
    }

    /// Records, at every event the executor publishes (on its own thread), its total exposure;
    /// and, when the venue receives the new order, whether the old one was still live there.
    final class Watch: Sendable {
        let exposures = Mutex<[UInt64]>([])
        let oldLiveAtNewOrder = Mutex<[Bool]>([])
        init(_ test: TestExecutor, venue: FakeVenue, old: String) {
            let executor = test.executor
            executor.onEvent = { [unowned executor] _ in self.exposures.withLock { $0.append(executor.risk.totalExposure) } }
            executor.onCancelEvent = { [unowned executor] _ in self.exposures.withLock { $0.append(executor.risk.totalExposure) } }
            venue.script("/order") { [unowned venue] request in
                guard request.method == "POST" else { return nil }
                let live = venue.withState { $0.orders[old.lowercased()]?.status == "LIVE" }
                self.oldLiveAtNewOrder.withLock { $0.append(live) }
                return nil
            }
        }
    }

    @Test func theNewOrderIsPlacedOnlyAfterTheOldOneIsCancelled() throws {
        let venue = FakeVenue()
        let test = try TestExecutor(venue: venue)
        defer { test.remove() }
        let old = ExecutorTargetedCancelTests.place(test.executor, "o-1")
        let oneOrder = test.status.totalExposureMicros
        let watch = Watch(test, venue: venue, old: old)
        var cancels: [Polypipe_Bus_V1_CancelEvent] = []
        let previous = test.executor.onCancelEvent
        test.executor.onCancelEvent = { previous($0); cancels.append($0) }

        let event = test.executor.handle(Self.replace("n-1", cancelling: old), receivedAtNanos: 0)

        #expect(event.outcome == .accepted)
        #expect(event.replacesOrderID == old)
        #expect(cancels.map(\.requestID) == ["n-1"])
        #expect(cancels.first?.outcome == .cancelDone)
        #expect(watch.oldLiveAtNewOrder.withLock { $0 } == [false], "the old order was off the book when the new one arrived")
        #expect(watch.exposures.withLock { $0 }.allSatisfy { $0 <= oneOrder }, "never both orders' exposure")
        #expect(test.status.totalExposureMicros == oneOrder)
        #expect(Array(test.executor.live.keys) == [OrderID(event.orderID)])
        #expect(try test.journal.entry(actionID: "o-1")?.state == .canceled)
    }

    /// A 5xx whose cancel did not happen, one whose cancel did happen, and an order that filled:
    /// each refuses the new order and keeps the old one tracked with its exposure.
    @Test(arguments: ["5xx", "5xx-but-cancelled", "already-matched"])
    func aCancelNotConfirmedRefusesTheNewOrder(fault: String) throws {
        let venue = FakeVenue()
        let test = try TestExecutor(venue: venue)
        defer { test.remove() }
        let old = ExecutorTargetedCancelTests.place(test.executor, "o-2")
        let before = test.status.totalExposureMicros
        switch fault {
        case "already-matched": venue.withState { $0.orders[old.lowercased()]?.status = "MATCHED" }
        default:
            venue.script("/order") { [unowned venue] request in
                guard request.method == "DELETE" else { return nil }
                if fault == "5xx-but-cancelled" { venue.withState { $0.orders[old.lowercased()]?.status = "CANCELED" } }
                return FakeVenue.answer(500, #"{"error": "internal"}"#)
            }
        }

        let event = test.executor.handle(Self.replace("n-2", cancelling: old), receivedAtNanos: 0)

        #expect(event.outcome == .refused)
        #expect(event.reason.contains("old order not cancelled"), "\(event.reason)")
        #expect(event.replacesOrderID == old)
        #expect(venue.requests(to: "/order", method: "POST").count == 1, "the new order was never sent")
        #expect(test.executor.live[OrderID(old)] != nil, "the old order stays tracked")
        #expect(test.status.totalExposureMicros == before, "exposure counted once, the old order's")
        #expect(try test.journal.entry(actionID: "n-2") == nil, "nothing signed for the new order")
    }

    @Test func placeIfFilledPlacesTheNewOrderWhenTheVenueShowsTheOldOneFilled() throws {
        let venue = FakeVenue()
        let test = try TestExecutor(venue: venue)
        defer { test.remove() }
        let old = ExecutorTargetedCancelTests.place(test.executor, "o-3")
        venue.withState { $0.orders[old.lowercased()]?.status = "MATCHED"; $0.orders[old.lowercased()]?.sizeMatched = "5" }

        let event = test.executor.handle(Self.replace("n-3", cancelling: old, placeIfFilled: true), receivedAtNanos: 0)

        #expect(event.outcome == .accepted)
        #expect(event.replacesOrderID == old)
        #expect(test.executor.live[OrderID(old)] == nil, "the filled order is no longer resting")
        #expect(try test.journal.entry(actionID: "o-3")?.state == .filled)
    }

    @Test func aReplaceIDIsExecutedAtMostOnceAcrossARestart() throws {
        let venue = FakeVenue()
        let test = try TestExecutor(venue: venue)
        defer { test.remove() }
        let old = ExecutorTargetedCancelTests.place(test.executor, "o-4")
        venue.withState { $0.orders[old.lowercased()]?.status = "MATCHED" }
        #expect(test.executor.handle(Self.replace("n-4", cancelling: old), receivedAtNanos: 0).outcome == .refused)
        venue.withState { $0.orders[old.lowercased()]?.status = "LIVE" }

        let restarted = try TestExecutor(venue: venue, reopening: test.directory)
        let again = restarted.executor.handle(Self.replace("n-4", cancelling: old), receivedAtNanos: 0)

        #expect(again.outcome == .duplicate)
        #expect(venue.requests(to: "/order", method: "DELETE").count == 1, "the cancel half went out once")
        #expect(venue.requests(to: "/order", method: "POST").count == 1)
    }

    @Test func anInvalidNewOrderLeavesTheOldOneAlone() throws {
        let venue = FakeVenue()
        let test = try TestExecutor(venue: venue)
        defer { test.remove() }
        let old = ExecutorTargetedCancelTests.place(test.executor, "o-5")
        var request = Self.replace("n-5", cancelling: old)
        request.place.limitPriceMicros = 1_000_000

        let event = test.executor.handle(request, receivedAtNanos: 0)

        #expect(event.outcome == .refused)
        #expect(event.reason.contains("invalid new order"), "\(event.reason)")
        #expect(venue.requests(to: "/order", method: "DELETE").isEmpty)
        #expect(test.executor.live[OrderID(old)] != nil)
    }
}
