import Foundation
import Testing
import PolypipeTesting
import Bus
import Execution
import JournalStore
import PolypipeCore
import VenueClient

/// Batches (topic "batch", spec §4.1): each leg through the pipeline on its own, the legs that
/// pass in one `POST /orders`, each answer settled on its own — and an unknown answer never
/// posted again (★SUB-11).
@Suite struct ExecutorBatchTests {
    static func batch(_ id: String, _ count: Int, tweak: (Int, inout Polypipe_Bus_V1_Action) -> Void = { _, _ in }) -> Polypipe_Bus_V1_ActionBatch {
        var batch = Polypipe_Bus_V1_ActionBatch()
        batch.id = id
        batch.actions = (0..<count).map { index in
            var action = ExecutorSubmissionTests.action("\(id)-\(index)")
            tweak(index, &action)
            return action
        }
        return batch
    }

    /// The order bodies of every `POST /orders`, one array per request.
    static func batchPosts(_ venue: FakeVenue) throws -> [[JSONValue]] {
        try venue.requests(to: "/orders").map { request in
            guard case .array(let legs) = try JSONParser.parse(request.body) else { throw NotABatch() }
            return legs
        }
    }

    struct NotABatch: Error {}

    @Test func theLegsGoOutInOnePostAndEachIsSettledWithTheBatchID() throws {
        let venue = FakeVenue()
        let harness = try TestExecutor(venue: venue)
        defer { harness.remove() }
        var published: [Polypipe_Bus_V1_OrderEvent] = []
        harness.executor.onEvent = { published.append($0) }
        let events = harness.executor.handle(Self.batch("b", 3), receivedAtNanos: BusClock.nowNanos())
        #expect(events.map(\.outcome) == [.accepted, .accepted, .accepted], "\(events.map(\.reason))")
        #expect(events.allSatisfy { $0.batchID == "b" } && published.allSatisfy { $0.batchID == "b" } && published.count == 3)
        #expect(try Self.batchPosts(venue).map(\.count) == [3], "one POST /orders with the three legs")
        #expect(venue.requests(to: "/order").isEmpty)
        #expect(venue.orders(in: "LIVE").count == 3)
        #expect(harness.executor.risk.totalExposure == 3 * 2_500_000)
        for index in 0..<3 { #expect(try harness.journal.entry(actionID: "b-\(index)")?.state == .accepted) }
    }

    @Test func aLegRefusedByTheRulesIsLeftOutOfThePost() throws {
        let venue = FakeVenue()
        let harness = try TestExecutor(venue: venue)
        defer { harness.remove() }
        let batch = Self.batch("r", 4) { index, action in
            if index == 1 { action.limitPriceMicros = 505_000 }  // off the 0.01 tick
            if index == 3 { action.id = "r-0" }                  // the id of leg 0 again
        }
        let events = harness.executor.handle(batch, receivedAtNanos: BusClock.nowNanos())
        #expect(events.map(\.outcome) == [.accepted, .refused, .accepted, .duplicate])
        #expect(events[1].reason.contains("tick"), "\(events[1].reason)")
        #expect(events[1].batchID == "r")
        #expect(try Self.batchPosts(venue).map(\.count) == [2], "only the two legs that passed")
        #expect(try harness.journal.entry(actionID: "r-1") == nil, "the refused leg was never signed")
    }

    @Test func eachLegGetsItsOwnOutcome() throws {
        let venue = FakeVenue()
        venue.script("/orders") { request in
            guard case .array(let legs)? = try? JSONParser.parse(request.body), legs.count == 2 else { return nil }
            let first = FakeVenue.orderID(ofBody: Array(JSONWriter.serialize(legs[0]).utf8))
            return FakeVenue.answer(200, #"[{"success": true, "errorMsg": "", "orderID": "\#(first)", "status": "live", "makingAmount": "", "takingAmount": ""}, {"success": false, "errorMsg": "not enough balance / allowance", "orderID": "", "status": "", "makingAmount": "", "takingAmount": ""}]"#)
        }
        let harness = try TestExecutor(venue: venue)
        defer { harness.remove() }
        let events = harness.executor.handle(Self.batch("o", 2), receivedAtNanos: BusClock.nowNanos())
        #expect(events.map(\.outcome) == [.accepted, .rejected])
        #expect(events[1].reason.contains("not enough balance"))
        #expect(try harness.journal.entry(actionID: "o-0")?.state == .accepted)
        #expect(try harness.journal.entry(actionID: "o-1")?.state == .rejected)
        #expect(harness.executor.risk.totalExposure == 2_500_000, "the rejected leg's exposure is given back")
    }

    @Test func aBatchOfMoreThan15ActionsIsRefusedWhole() throws {
        let venue = FakeVenue()
        let harness = try TestExecutor(venue: venue)
        defer { harness.remove() }
        let events = harness.executor.handle(Self.batch("big", 16), receivedAtNanos: BusClock.nowNanos())
        #expect(events.count == 16)
        #expect(events.allSatisfy { $0.outcome == .refused && $0.reason.contains("at most 15") && $0.batchID == "big" })
        #expect(venue.requests(to: "/orders").isEmpty && venue.requests(to: "/order").isEmpty)
        #expect(try harness.journal.entry(actionID: "big-0") == nil, "nothing signed")
    }

    /// ★SUB-11: the batch's answer never comes (the venue placed it): every leg is unknown,
    /// then resolved by its own hash; the batch is never posted again, no leg sent again.
    @Test func aBatchWithAnUnknownAnswerIsResolvedLegByLegNeverPostedAgain() throws {
        let venue = FakeVenue()
        venue.orderAnswer = .timeout(placed: true)
        let harness = try TestExecutor(venue: venue)
        defer { harness.remove() }
        let events = harness.executor.handle(Self.batch("u", 5), receivedAtNanos: BusClock.nowNanos())
        #expect(events.allSatisfy { $0.outcome == .unknown }, "\(events.map(\.outcome))")
        #expect(harness.executor.unknownCount == 5)
        var resolved: [Polypipe_Bus_V1_OrderEvent] = []
        harness.executor.onEvent = { resolved.append($0) }
        harness.executor.resolvePending()
        #expect(resolved.count == 5 && resolved.allSatisfy { $0.outcome == .accepted }, "\(resolved.map(\.reason))")
        #expect(Set(resolved.map(\.orderID)) == Set(events.map(\.orderID)), "each resolved by its own hash")
        #expect(venue.requests(to: "/orders").count == 1)
        #expect(venue.requests(to: "/order").isEmpty)
        #expect(venue.orders(in: "LIVE").count == 5)
    }

    /// A batch draws one order token per leg, all at once (spec §6.1); when the bucket has none
    /// before the legs' deadline, no leg is sent (refused as stale), and each is given back.
    @Test func aBatchCostsOneTokenPerLegAndIsRefusedUnsentWhenTheBucketCannotPay() throws {
        let venue = FakeVenue()
        let (pacer, clock) = ExecutorPacingTests.pacer()
        let harness = try TestExecutor(venue: venue, rateLimits: pacer)
        defer { harness.remove() }
        let before = pacer.available(.orders)
        let events = harness.executor.handle(Self.batch("p", 4), receivedAtNanos: BusClock.nowNanos())
        #expect(events.allSatisfy { $0.outcome == .accepted })
        #expect(before - pacer.available(.orders) == 4)

        ExecutorPacingTests.block(pacer, nowMillis: clock.now)
        let stale = harness.executor.handle(Self.batch("s", 3) { _, action in action.ttlMs = 2_000 }, receivedAtNanos: BusClock.nowNanos())
        #expect(stale.allSatisfy { $0.outcome == .refused && $0.reason.contains("stale") }, "\(stale.map(\.reason))")
        #expect(venue.requests(to: "/orders").count == 1, "the second batch was never sent")
        #expect(try harness.journal.entry(actionID: "s-0")?.state == .rejected)
        #expect(harness.executor.risk.totalExposure == 4 * 2_500_000)
    }
}
