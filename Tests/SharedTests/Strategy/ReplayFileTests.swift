import Testing
import PolypipeCore
import Strategies

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

@Suite struct ReplayWallClockTests {
    func proposal(createdAt: Int64, ttl: Int64) throws -> ActionProposal {
        let market = "0x" + String(repeating: "cd", count: 32)
        let line = #"{"id":"w-1","market":"\#(market)","token_id":"123","side":"BUY","size":"5","limit_price":"0.5","created_at_ms":\#(createdAt),"ttl_ms":\#(ttl)}"#
        let file = ReplayFile(text: line)
        return try #require(file.entries.first).proposal
    }

    @Test func anEntryWaitsForItsTimeIsSentWhileValidAndSkippedOnceExpired() throws {
        let entry = try proposal(createdAt: 10_000, ttl: 2_000)
        #expect(ReplayRunner.wallDecision(for: entry, nowMillis: 9_000) == .wait(1_000))
        #expect(ReplayRunner.wallDecision(for: entry, nowMillis: 9_999) == .wait(1))
        #expect(ReplayRunner.wallDecision(for: entry, nowMillis: 10_000) == .send)
        #expect(ReplayRunner.wallDecision(for: entry, nowMillis: 11_999) == .send)
        // Expiry is exclusive at created + ttl, as exec-proc counts it.
        #expect(ReplayRunner.wallDecision(for: entry, nowMillis: 12_000) == .expired)
    }

    @Test func theScheduleKeepsTheFilesCreationTime() throws {
        // The TTL runs from the schedule, not from the send: the proposal carries the file's time.
        #expect(try proposal(createdAt: 1_780_000_000_000, ttl: 5_000).createdAtMillis == 1_780_000_000_000)
    }
}
