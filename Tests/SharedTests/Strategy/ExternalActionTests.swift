import Testing
import Bus
import PolypipeCore
import Strategies

@Suite struct ExternalActionTests {
    func valid() -> Polypipe_Bus_V1_Action {
        var action = Polypipe_Bus_V1_Action()
        action.id = "ext-1"
        action.market = "0x" + String(repeating: "ef", count: 32)
        action.tokenID = "4242"
        action.side = .buy
        action.sizeMicros = 5_000_000
        action.limitPriceMicros = 550_000
        action.ttlMs = 2_000
        action.strategy = "model-a"
        return action
    }

    func frames(_ action: Polypipe_Bus_V1_Action, topic: String = "action") -> [[UInt8]] {
        Envelope(topic: topic, source: "python", epoch: 1, sequence: 1, sentAtNanos: 0, payload: action.busPayload).frames()
    }

    @Test func aValidActionIsForwardedAsExternal() throws {
        let proposal = try ExternalAction.accept(frames: frames(valid()), receivedAtMillis: 777).get()
        #expect(proposal.strategy == "external:model-a" && proposal.createdAtMillis == 777, "created_at stamped when absent")
        let token = try TokenID(decimal: "4242")
        #expect(proposal.expectedPrice == Price(micros: 550_000) && proposal.tokenID == token)
        var unnamed = valid()
        unnamed.strategy = ""
        unnamed.createdAtMs = 5
        let named = try ExternalAction.accept(frames: frames(unnamed), receivedAtMillis: 777).get()
        #expect(named.strategy == "external:python" && named.createdAtMillis == 5, "the envelope source names it")
    }

    @Test func eachRuleRejectsWithItsReason() {
        func rejection(_ change: (inout Polypipe_Bus_V1_Action) -> Void) -> String? {
            var action = valid()
            change(&action)
            if case .failure(let why) = ExternalAction.accept(frames: frames(action), receivedAtMillis: 1) { return why.reason }
            return nil
        }
        #expect(rejection { $0.id = "" } == "missing_id")
        #expect(rejection { $0.market = "" } == "missing_market")
        #expect(rejection { $0.tokenID = "" } == "bad_token")
        #expect(rejection { $0.tokenID = "0xabc" } == "bad_token")
        #expect(rejection { $0.side = .unspecified } == "side_unset")
        #expect(rejection { $0.sizeMicros = 0 } == "zero_size")
        #expect(rejection { $0.limitPriceMicros = 0 } == "limit_price_out_of_range")
        #expect(rejection { $0.limitPriceMicros = 1_000_000 } == "limit_price_out_of_range")
        #expect(rejection { $0.expectedPriceMicros = 1_000_000 } == "expected_price_out_of_range")
        #expect(rejection { $0.ttlMs = 0 } == "non_positive_ttl")
        #expect(rejection { $0.ttlMs = -5 } == "non_positive_ttl")
        #expect(rejection { _ in } == nil)
    }

    @Test func malformedMessagesAreRejectedNotFatal() {
        func reason(_ frames: [[UInt8]]) -> String? {
            if case .failure(let why) = ExternalAction.accept(frames: frames, receivedAtMillis: 1) { return why.reason }
            return nil
        }
        #expect(reason([Array("action".utf8)]) == "malformed_envelope")
        #expect(reason(frames(valid(), topic: "order")) == "wrong_topic")
        var broken = frames(valid())
        broken[2] = [0xFF, 0xFF, 0xFF]
        #expect(reason(broken) == "malformed_payload")
    }
}
