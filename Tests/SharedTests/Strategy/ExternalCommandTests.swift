import Testing
import Bus
import PolypipeCore
import Strategies

/// Replaces and cancels from an external model: forwarded only when they name exactly one
/// target, and never turned into something else (a GTD action keeps its expiry).
@Suite struct ExternalCommandTests {
    let base = ExternalActionTests()

    func frames(_ payload: [UInt8], topic: String) -> [[UInt8]] {
        Envelope(topic: topic, source: "python", epoch: 1, sequence: 1, sentAtNanos: 0, payload: payload).frames()
    }

    @Test func aReplaceByActionIDIsForwardedWithItsNewOrder() throws {
        var request = Polypipe_Bus_V1_ReplaceRequest()
        request.cancelActionID = "ext-0"
        request.place = base.valid()
        let command = try ExternalAction.acceptCommand(frames: frames(request.busPayload, topic: "replace"), receivedAtMillis: 5).get()
        guard case .replace(.action("ext-0"), let place, false) = command else { Issue.record("\(command)"); return }
        #expect(place.id == "ext-1" && place.strategy == "external:model-a")
    }

    @Test func aReplaceOrCancelWithoutExactlyOneTargetIsRefused() {
        var both = Polypipe_Bus_V1_ReplaceRequest()
        both.cancelActionID = "a"
        both.cancelOrderID = "0x01"
        both.place = base.valid()
        var none = Polypipe_Bus_V1_CancelRequest()
        none.id = "c1"
        var two = none
        two.orderID = "0x01"
        two.market = "0xmarket"
        for (payload, topic) in [(both.busPayload, "replace"), (none.busPayload, "cancel"), (two.busPayload, "cancel")] {
            guard case .failure(let why) = ExternalAction.acceptCommand(frames: frames(payload, topic: topic), receivedAtMillis: 1) else {
                Issue.record("forwarded a \(topic) without exactly one target")
                continue
            }
            #expect(why.reason == "cancel_target")
        }
    }

    @Test func aCancelByMarketIsForwarded() throws {
        var request = Polypipe_Bus_V1_CancelRequest()
        request.id = "c2"
        request.market = "0x" + String(repeating: "ef", count: 32)
        let command = try ExternalAction.acceptCommand(frames: frames(request.busPayload, topic: "cancel"), receivedAtMillis: 1).get()
        #expect(command == .cancel(requestID: "c2", target: .market(request.market), reason: "external"))
    }

    @Test func aGTDActionKeepsItsExpiryAndAnAmountOrderItsAmount() throws {
        var gtd = base.valid()
        gtd.timeInForce = .gtd
        gtd.expiresAtMs = 1_800_000_300_000
        let placed = try ExternalAction.accept(frames: base.frames(gtd), receivedAtMillis: 1).get()
        #expect(placed.timeInForce == .gtd && placed.busMessage.expiresAtMs == 1_800_000_300_000 && placed.busMessage.timeInForce == .gtd)
        var byAmount = base.valid()
        byAmount.sizeMicros = 0
        byAmount.amountMicros = 10_000_000
        byAmount.timeInForce = .fok
        let market = try ExternalAction.accept(frames: base.frames(byAmount), receivedAtMillis: 1).get()
        #expect(market.busMessage.amountMicros == 10_000_000 && market.busMessage.sizeMicros == 0)
    }
}
