import Testing
import Execution
import PolypipeCore
import VenueClient

/// ``TrackedOrders``: one state per order, moved only along the documented edges — directly,
/// and by random sequences checked against a model built the old way (separate live, pending
/// and in-flight maps, moved by hand), so the one collection is shown to keep their meaning.
@Suite struct TrackedOrdersTests {
    static let key = ExecutorPropertyTests.key

    /// An order with id `id` (any spelling) for 10 shares at 0.50.
    static func order(_ id: String, side: Side = .buy, createdAt: Int64 = 0) -> LiveOrder {
        let order = Order(salt: .zero, maker: key.address, signer: key.address, tokenID: TokenID(UInt256(UInt64(7))),
                          makerAmount: UInt256(UInt64(side == .buy ? 5_000_000 : 10_000_000)),
                          takerAmount: UInt256(UInt64(side == .buy ? 10_000_000 : 5_000_000)), side: side,
                          signatureType: .eoa, timestamp: .zero)
        return LiveOrder(orderID: OrderID(id), actionID: "a-\(id)", market: "m", order: order, createdAtMillis: createdAt)
    }

    static let unresolved = TrackedOrders.Unresolved(body: [1, 2, 3], expiresAtMillis: 1_000)

    @Test func anOrderMovesFromInFlightToLiveAndIsFoundByAnySpelling() {
        var tracked = TrackedOrders()
        let order = Self.order("0xABC")
        let first = tracked.sent(order, ticket: 1)
        #expect(first)
        let second = tracked.sent(order, ticket: 2)
        #expect(!second, "tracked already: not sent twice")
        #expect(tracked["0xabc"]?.state == .inFlight(ticket: 1))
        #expect(tracked.inFlightCount == 1 && tracked.liveCount == 0)
        tracked.accepted(order)
        #expect(tracked["0xAbC"]?.state == .live(delayedSinceMillis: nil))
        #expect(tracked.live.keys.sorted() == ["0xabc"])
        #expect(tracked.live["0xabc"]?.orderID == "0xABC", "one order, whatever the spelling")
        let removed = tracked.remove("0xabc")
        #expect(removed?.order == order)
        #expect(tracked.isEmpty)
    }

    /// The venue may list our order with the hash's hex digits in upper case; the order we
    /// signed and journaled in lower case must still be found by the id as the venue wrote it
    /// (the ``OrderID`` read from the venue's JSON), with no lower-casing by hand here.
    @Test func aVenueListingInUpperCaseFindsTheOrderWeJournaledInLowerCase() throws {
        let hash = "0x" + String(repeating: "ab", count: 32)
        var tracked = TrackedOrders()
        tracked.accepted(Self.order(hash), delayedSinceMillis: 5)
        let listing = #"{"id": "0x\#(String(repeating: "AB", count: 32))", "status": "ORDER_STATUS_LIVE", "asset_id": "7", "side": "BUY", "original_size": "10", "size_matched": "0", "price": "0.5", "associate_trades": []}"#
        let listed = try OpenOrder(json: try JSONParser.parse(listing))
        #expect(tracked[listed.id]?.order.actionID == "a-\(hash)", "the venue's spelling finds our order")
        #expect(Set(tracked.live.keys).contains(listed.id))
        let cleared = tracked.clearDelay(listed.id)
        #expect(cleared, "moves apply through the venue's spelling too")
        let removed = tracked.remove(listed.id)
        #expect(removed?.order.orderID.description == hash)
        #expect(tracked.isEmpty)
    }

    @Test func aLiveOrderIsNeverDowngradedToUnknown() {
        var tracked = TrackedOrders()
        let order = Self.order("0x1")
        tracked.accepted(order)
        let downgraded = tracked.unknown(order, Self.unresolved)
        #expect(!downgraded)
        #expect(tracked["0x1"]?.state == .live(delayedSinceMillis: nil))
    }

    @Test func anUnknownOrderKeepsItsBytesAndIsResentOnce() {
        var tracked = TrackedOrders()
        let order = Self.order("0x2")
        let unknown = tracked.unknown(order, Self.unresolved)
        #expect(unknown)
        #expect(tracked.unknownCount == 1)
        #expect(tracked.unknown.first?.unresolved.body == [1, 2, 3])
        let resent = tracked.markResent("0x2")
        #expect(resent)
        #expect(tracked.unknown.first?.unresolved.resent == true)
        let resentUntracked = tracked.markResent("0x9")
        #expect(!resentUntracked, "not tracked")
        tracked.accepted(order)
        let resentLive = tracked.markResent("0x2")
        #expect(!resentLive, "only an unknown order is resent")
        #expect(tracked.unknownCount == 0 && tracked.liveCount == 1)
    }

    @Test func anUnknownOrdersActionHoldsStrictlyBeforeItsExpiry() {
        #expect(Self.unresolved.isCurrent(atMillis: 999))
        #expect(!Self.unresolved.isCurrent(atMillis: 1_000))
        #expect(!TrackedOrders.Unresolved(body: [], expiresAtMillis: nil).isCurrent(atMillis: 0), "no expiry known: never resent")
    }

    @Test func theTakerDelayMarkIsClearedOnlyOnALiveDelayedOrder() {
        var tracked = TrackedOrders()
        let order = Self.order("0x3")
        tracked.accepted(order, delayedSinceMillis: 50)
        #expect(tracked.delayed.map(\.sinceMillis) == [50])
        let cleared = tracked.clearDelay("0x3")
        #expect(cleared)
        let clearedAgain = tracked.clearDelay("0x3")
        #expect(!clearedAgain, "already cleared")
        #expect(tracked.delayed.isEmpty && tracked.liveCount == 1)
    }

    // MARK: Random sequences against the old maps

    /// The executor's bookkeeping before ``TrackedOrders``: three maps and a delay map.
    struct OldMaps {
        var live: [String: LiveOrder] = [:]
        var pending: [String: (order: LiveOrder, resent: Bool)] = [:]
        var inFlight: [UInt64: LiveOrder] = [:]
        var delayedSince: [String: Int64] = [:]

        func tracks(_ id: String) -> Bool { live[id] != nil || pending[id] != nil || inFlight.values.contains { $0.orderID.description.lowercased() == id } }
        mutating func dropInFlight(_ id: String) { inFlight = inFlight.filter { $0.value.orderID.description.lowercased() != id } }
    }

    @Test(arguments: UInt64(1)...30)
    func randomMovesKeepTheOldMapsMeaning(seed: UInt64) {
        var random = SplitMix64(seed: seed)
        var tracked = TrackedOrders()
        var model = OldMaps()
        let orders = (0..<6).map { Self.order(random.next() % 2 == 0 ? "0xA\($0)" : "0xa\($0)") }
        var ticket: UInt64 = 0
        for _ in 0..<300 {
            let order = orders[Int(random.next() % UInt64(orders.count))]
            let id = order.orderID.description.lowercased()
            switch random.next() % 6 {
            case 0:
                ticket += 1
                let sent = tracked.sent(order, ticket: ticket)
                #expect(sent == !model.tracks(id))
                if sent { model.inFlight[ticket] = order }
            case 1:
                let delayed: Int64? = random.next() % 3 == 0 ? Int64(random.next() % 1_000) : nil
                tracked.accepted(order, delayedSinceMillis: delayed)
                model.dropInFlight(id)
                model.pending[id] = nil
                model.live[id] = order
                model.delayedSince[id] = delayed
            case 2:
                let moved = tracked.unknown(order, Self.unresolved)
                #expect(moved == (model.live[id] == nil))
                if moved {
                    model.dropInFlight(id)
                    model.pending[id] = (order, false)
                }
            case 3:
                let marked = tracked.markResent(OrderID(id))
                #expect(marked == (model.pending[id] != nil))
                if marked { model.pending[id]?.resent = true }
            case 4:
                let cleared = tracked.clearDelay(OrderID(id))
                #expect(cleared == (model.delayedSince[id] != nil))
                model.delayedSince[id] = nil
            default:
                let removed = tracked.remove(OrderID(id))
                #expect((removed != nil) == model.tracks(id))
                model.live[id] = nil
                model.pending[id] = nil
                model.delayedSince[id] = nil
                model.dropInFlight(id)
            }
            // The one collection says what the old maps said.
            #expect(Set(tracked.live.keys.map(\.description)) == Set(model.live.keys))
            #expect(tracked.unknownCount == model.pending.count)
            #expect(tracked.inFlightCount == model.inFlight.count)
            #expect(Set(tracked.unknown.map { $0.order.orderID.description.lowercased() }) == Set(model.pending.keys))
            #expect(tracked.unknown.allSatisfy { $0.unresolved.resent == model.pending[$0.order.orderID.description.lowercased()]?.resent })
            #expect(Dictionary(uniqueKeysWithValues: tracked.delayed.map { ($0.order.orderID.description.lowercased(), $0.sinceMillis) }) == model.delayedSince)
            // Each order in exactly one state.
            #expect(tracked.count == tracked.liveCount + tracked.unknownCount + tracked.inFlightCount)
            #expect(model.live.keys.allSatisfy { model.pending[$0] == nil })
        }
    }
}
