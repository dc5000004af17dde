import PolypipeTesting
import Foundation
import Logging
import Synchronization
import Testing
import PolypipeCore
import Reconciliation

/// The webhook sink (REC-11): sending never blocks the cycle, a failed POST is retried with
/// backoff, and the body is the documented JSON.
@Suite struct AlarmWebhookTests {
    @Test func aFailedPostIsRetriedWithoutDelayingTheCaller() throws {
        let calls = Atomic<Int>(0)
        let server = try ScriptedHTTPServer { _ in
            calls.add(1, ordering: .relaxed).newValue == 1 ? .respond(status: 500, body: "down") : .respond(status: 200, body: "ok")
        }
        defer { server.stop() }
        let webhook = try #require(AlarmWebhook(url: server.baseURL + "/hooks/T000/B000/secret", payload: AlarmWebhookPayload(chatID: "-100"),
                                                logger: Logger(label: "test")))
        webhook.start()
        defer { webhook.stop() }
        let finding = Finding(kind: .dailyLoss, severity: .critical, subject: "today",
                              detail: .dailyLoss(loss: Collateral(micros: 12_500_000), limit: Collateral(micros: 10_000_000)))
        let started = ContinuousClock.now
        webhook.send(AlarmTracker.Transition.raised(finding, atMillis: 1_000))
        #expect(ContinuousClock.now - started < .milliseconds(50), "send only queues")

        let deadline = Date().addingTimeInterval(5)
        while webhook.counts.delivered == 0 && Date() < deadline { usleep(20_000) }
        #expect(webhook.counts.delivered == 1 && webhook.counts.failed == 0)
        let requests = server.requests
        #expect(requests.count == 2, "one failure, one retry")
        #expect(requests.allSatisfy { $0.method == "POST" && $0.target == "/hooks/T000/B000/secret" })
        #expect(requests[0].body == requests[1].body)
        let body = try JSONParser.parse(requests[1].body)
        #expect(body["text"]?.scalarText == "[CRITICAL] daily_loss raised: realized loss today 12.5 pUSD reached the daily limit 10 pUSD")
        #expect(body["chat_id"]?.scalarText == "-100")
        #expect(body["alarm"]?["kind"]?.scalarText == "daily_loss")
        #expect(body["alarm"]?["details"]?["loss"]?.scalarText == "12.5")
    }
}
