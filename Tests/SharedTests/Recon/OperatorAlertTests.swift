import Foundation
import Logging
import Testing
import Bus
import PolypipeCore
import PolypipeTesting
import Reconciliation

/// Operator alerts beyond recon's findings: what exec-proc's status says, how repeats and
/// storms are held back, and what reaches the webhook.
@Suite struct OperatorAlertTests {
    static func alert(_ kind: OperatorAlert.Kind = .processRestarted, _ subject: String = "signal-proc", at millis: Int64) -> OperatorAlert {
        OperatorAlert(kind: kind, subject: subject, message: "\(subject) \(kind.rawValue)", atMillis: millis)
    }

    @Test func aRepeatIsSuppressedAndTheNextAlertSaysHowManyWere() {
        var throttle = AlertThrottle(repeatAfterMillis: 600_000, perMinute: 10)
        #expect(throttle.admit(Self.alert(at: 0)) == 0)
        #expect(throttle.admit(Self.alert(at: 1_000)) == nil, "the same kind and subject, 1 s later")
        #expect(throttle.admit(Self.alert(at: 599_000)) == nil)
        #expect(throttle.admit(Self.alert(.processRestarted, "fill-proc", at: 600_500)) == 2, "another subject goes out, saying 2 were held back")
        #expect(throttle.admit(Self.alert(at: 600_000)) == 0, "the first one again once its window passed")
    }

    /// Random streams: never more than `perMinute` in any 60 s, never one key twice within
    /// the repeat window, and every alert either sent or counted in a later one's number.
    @Test func randomStormsStayWithinTheLimits() {
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<50 {
            var throttle = AlertThrottle(repeatAfterMillis: 30_000, perMinute: 5)
            var sent: [(Int64, String)] = []
            var accounted = 0, now: Int64 = 0
            let count = Int.random(in: 1...300, using: &generator)
            for _ in 0..<count {
                now += Int64.random(in: 0...3_000, using: &generator)
                let alert = Self.alert(OperatorAlert.Kind.allCases.randomElement(using: &generator)!, ["a", "b", "c"].randomElement(using: &generator)!, at: now)
                if let suppressed = throttle.admit(alert) {
                    sent.append((now, alert.kind.rawValue + alert.subject))
                    accounted += 1 + suppressed
                }
            }
            for (index, (at, key)) in sent.enumerated() {
                #expect(sent.filter { $0.0 > at - 60_000 && $0.0 <= at }.count <= 5, "more than 5 within a minute")
                #expect(!sent[..<index].contains { $0.1 == key && at - $0.0 < 30_000 }, "a repeat within the window")
            }
            #expect(accounted <= count && count - accounted <= count, "suppressed ones are counted, never invented")
        }
    }

    static func status(_ state: Polypipe_Bus_V1_TradingState, heartbeat: Bool, reason: String = "") -> Polypipe_Bus_V1_ExecStatus {
        var status = Polypipe_Bus_V1_ExecStatus()
        status.state = state
        status.venueHeartbeatOk = heartbeat
        status.stateReason = reason
        status.venueURL = "http://127.0.0.1:8080"
        return status
    }

    @Test func execProcsStatusBecomesAlertsOnChangesOnly() {
        var watch = ExecWatch()
        #expect(watch.observe(Self.status(.running, heartbeat: false), atMillis: 0).isEmpty, "the first status is a baseline")
        #expect(watch.observe(Self.status(.running, heartbeat: true), atMillis: 1).isEmpty, "the first beat is not a recovery")
        #expect(watch.observe(Self.status(.running, heartbeat: true), atMillis: 2).isEmpty)
        let lapse = watch.observe(Self.status(.running, heartbeat: false), atMillis: 3)
        #expect(lapse.map(\.kind) == [.heartbeatLapsed])
        #expect(watch.observe(Self.status(.running, heartbeat: false), atMillis: 4).isEmpty, "one alert per lapse")
        let halt = watch.observe(Self.status(.halted, heartbeat: true, reason: "operator: polypipe halt"), atMillis: 5)
        #expect(halt.map(\.kind) == [.execHalted, .heartbeatRestored])
        #expect(halt.first?.message == "exec-proc halted: operator: polypipe halt")
        #expect(watch.observe(Self.status(.running, heartbeat: true), atMillis: 6).map(\.kind) == [.execResumed])
        // A recon-proc started while exec-proc is halted says so at once.
        var fresh = ExecWatch()
        #expect(fresh.observe(Self.status(.halted, heartbeat: true, reason: "daily loss"), atMillis: 0).map(\.kind) == [.execHalted])
    }

    @Test func theRateLimitBitingIsAnAlert() {
        var watch = ExecWatch()
        var status = Self.status(.running, heartbeat: true)
        status.rateLimitTier = "standard"
        status.rateLimitOrderBurst = 60
        #expect(watch.observe(status, atMillis: 0).isEmpty, "a baseline")
        status.rateLimitWaits = 40
        #expect(watch.observe(status, atMillis: 1).isEmpty, "waiting for tokens is pacing, not news")
        status.rateLimitStale = 2
        let stale = watch.observe(status, atMillis: 2)
        #expect(stale.map(\.kind) == [.rateLimited] && stale.first?.message.hasPrefix("2 order(s) not sent") == true, "\(stale)")
        status.rateLimitWarnings = 1
        status.rateLimitOrderTokens = 3
        let warned = watch.observe(status, atMillis: 3)
        #expect(warned.first?.message == "the venue warned that the signer is near its rate limit (tier standard, 3 of 60 order tokens left)")
        #expect(watch.observe(status, atMillis: 4).isEmpty)
    }

    @Test func theWebhookGetsEachAlertOnceWithItsText() throws {
        let server = try ScriptedHTTPServer { _ in .respond(status: 200, body: "ok") }
        defer { server.stop() }
        let webhook = try #require(AlarmWebhook(url: server.baseURL + "/hook", payload: AlarmWebhookPayload(source: "recon-proc", chatID: "-7"),
                                                logger: Logger(label: "test")))
        webhook.start()
        defer { webhook.stop() }
        let halt = OperatorAlert(kind: .execHalted, subject: "exec-proc", message: "exec-proc halted: daily loss", atMillis: 1_000)
        #expect(webhook.send(alert: halt))
        #expect(!webhook.send(alert: OperatorAlert(kind: .execHalted, subject: "exec-proc", message: "again", atMillis: 2_000)))
        let deadline = Date().addingTimeInterval(5)
        while webhook.counts.delivered < 1 && Date() < deadline { usleep(20_000) }
        usleep(200_000)
        #expect(server.requests.count == 1)
        let body = try JSONParser.parse(try #require(server.requests.first).body)
        #expect(body["text"]?.scalarText == "[CRITICAL] exec-proc halted: daily loss")
        #expect(body["chat_id"]?.scalarText == "-7" && body["alert"]?["kind"]?.scalarText == "exec_halted")
        #expect(body["alert"]?["source"]?.scalarText == "recon-proc")
    }
}
