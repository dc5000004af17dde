import Testing
import Fills
import PolypipeCore
import Reconciliation

@Suite struct AlarmWebhookPayloadTests {
    @Test func theBodyCarriesSlackTextAndStructuredFields() throws {
        let ghost = FailedFill(key: FillKey(tradeID: "trade-7", orderID: "0xAB"), side: .buy, size: Shares(micros: 10_000_000),
                               price: Price(micros: 520_000), failedAtMillis: 5_000)
        let report = Reconciler().reconcile(ReconcilerTests.input(
            paper: [ReconcilerTests.paper(10_000_000, 520_000)], actual: [ReconcilerTests.actual(0, 0, failed: [ghost])]))
        let finding = try #require(report.findings.first)
        let body = AlarmWebhookPayload(chatID: "-100123").body(for: .raised(finding, atMillis: 1_700_000_000_000))
        let json = try JSONParser.parse(Array(body.utf8))
        #expect(json["text"]?.scalarText == "[CRITICAL] ghost_fill raised: " + finding.message)
        #expect(json["chat_id"]?.scalarText == "-100123")
        let alarm = try #require(json["alarm"])
        #expect(alarm["state"]?.scalarText == "raised" && alarm["kind"]?.scalarText == "ghost_fill" && alarm["severity"]?.scalarText == "critical")
        #expect(alarm["at_ms"] == .number("1700000000000") && alarm["source"]?.scalarText == "recon-proc")
        let details = try #require(alarm["details"])
        #expect(details["paper_size"]?.scalarText == "10" && details["actual_size"]?.scalarText == "0")
        #expect(details["size_diff"]?.scalarText == "10" && details["notional_diff"]?.scalarText == "5.2")
        guard case .array(let trades)? = details["failed_trades"] else { Issue.record("no failed_trades array"); return }
        #expect(trades.first?["trade_id"]?.scalarText == "trade-7" && trades.first?["order_id"]?.scalarText == "0xab")
    }

    @Test func aClearSaysHowLongItLastedAndPlainSinksGetTextOnly() throws {
        let stale = Finding(kind: .staleInput, severity: .warning, subject: "venue", detail: .staleInput(.venue, ageMillis: 40_000, limitMillis: 30_000))
        let cleared = try JSONParser.parse(Array(AlarmWebhookPayload().body(for: .cleared(stale, atMillis: 90_000, durationMillis: 50_000)).utf8))
        #expect(cleared["text"]?.scalarText == "[WARNING] stale_input cleared: venue input is 40 s old (limit 30 s)")
        #expect(cleared["alarm"]?["duration_ms"] == .number("50000") && cleared["chat_id"] == nil)
        let plain = try JSONParser.parse(Array(AlarmWebhookPayload(structured: false).body(for: .raised(stale, atMillis: 1)).utf8))
        guard case .object(let members) = plain else { Issue.record("not an object"); return }
        #expect(members.map(\.key) == ["text"])
    }
}
