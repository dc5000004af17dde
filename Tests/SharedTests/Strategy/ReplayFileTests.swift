import Shared
import Testing

@Suite struct ReplayFileTests {
    let market = "0x" + String(repeating: "cd", count: 32)

    @Test func parsesLinesAndReportsBadOnesByNumber() throws {
        let text = """
        # a comment
        {"id":"r-1","market":"\(market)","token_id":"123","side":"BUY","size":"10","limit_price":"0.57","created_at_ms":1000,"ttl_ms":5000}

        {"id":"r-2","market":"\(market)","token_id":"123","side":"sell","size":"5.5","limit_price":"0.6","expected_price":"0.61","created_at_ms":2500,"ttl_ms":3000,"time_in_force":"FAK","post_only":false,"strategy":"manual"}
        {"id":"r-3","market":"\(market)","token_id":"123","side":"BUY","size":"10","limit_price":"1.2","ttl_ms":5000}
        not json
        {"id":"r-5","market":"\(market)","token_id":"123","side":"BUY","size":"10","limit_price":"0.5"}
        """
        let file = ReplayFile(text: text)
        #expect(file.entries.map(\.line) == [2, 4])
        #expect(file.entries.map(\.offsetMillis) == [0, 1_500])
        let first = file.entries[0].proposal
        #expect(first.limitPrice == Price(micros: 570_000) && first.expectedPrice == first.limitPrice && first.size == Shares(micros: 10_000_000))
        #expect(first.strategy == "replay" && first.timeInForce == .gtc && first.side == .buy)
        let second = file.entries[1].proposal
        #expect(second.side == .sell && second.size == Shares(micros: 5_500_000) && second.expectedPrice == Price(micros: 610_000))
        #expect(second.timeInForce == .fak && second.strategy == "manual" && second.ttlMillis == 3_000)
        #expect(file.errors.map(\.line) == [5, 6, 7])
        #expect(file.errors[0].description == "replay line 5: limit_price 1.2 is outside (0, 1)")
        #expect(file.errors[1].description.hasPrefix("replay line 6: not JSON"))
        #expect(file.errors[2].description == "replay line 7: ttl_ms is missing")
    }
}
