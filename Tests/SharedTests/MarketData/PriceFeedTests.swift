import Testing
import MarketData
import PolypipeCore

@Suite struct PriceFeedTests {
    @Test func parsesTheRTDSShapeExactly() throws {
        let json = try JSONParser.parse(#"{"topic":"crypto_prices","type":"update","timestamp":1787414400123,"payload":{"symbol":"BTCUSDT","timestamp":1787414400000,"value":118234.56}}"#)
        let update = try PriceFeedUpdate(json: json)
        #expect(update.symbol == "btcusdt" && update.timestampMillis == 1_787_414_400_000)
        #expect(update.price == SpotPrice(micros: 118_234_560_000) && update.price.description == "118234.56")
        let exponent = try PriceFeedUpdate(json: try JSONParser.parse(#"{"topic":"crypto_prices","timestamp":"5","payload":{"symbol":"btcusdt","value":1.1823456e5}}"#))
        #expect(exponent.price.micros == 118_234_560_000 && exponent.timestampMillis == 5, "exponent text, outer timestamp")
    }

    @Test func badFeedMessagesNameTheField() throws {
        let cases: [(String, String)] = [
            (#"{"topic":"crypto_prices","payload":{"symbol":"btcusdt","timestamp":1,"value":"abc"}}"#, "field value"),
            (#"{"topic":"crypto_prices","payload":{"symbol":"btcusdt","timestamp":1,"value":-5}}"#, "field value"),
            (#"{"topic":"crypto_prices","payload":{"symbol":"btcusdt","value":5}}"#, "field timestamp"),
            (#"{"topic":"crypto_prices"}"#, "field payload"),
        ]
        for (text, needle) in cases {
            do {
                _ = try PriceFeedUpdate(json: try JSONParser.parse(text))
                Issue.record("accepted \(text)")
            } catch {
                #expect("\(error)".contains(needle), "\(error)")
            }
        }
        #expect(throws: MarketDataError.unsupported("rtds topic comments")) {
            try PriceFeedUpdate(json: try JSONParser.parse(#"{"topic":"comments","payload":{}}"#))
        }
    }

    @Test func realizedVolatilityMatchesTheReturnsAndIgnoresRepeats() {
        var volatility = RealizedVolatility(horizonMillis: 60_000, minimumReturns: 2)
        volatility.add(SpotPrice(micros: 100_000_000_000), atMillis: 0)
        #expect(volatility.sigmaPerSqrtSecond == nil)
        volatility.add(SpotPrice(micros: 100_010_000_000), atMillis: 1_000)  // +0.01 %
        volatility.add(SpotPrice(micros: 100_010_000_000), atMillis: 1_000)  // same stamp: ignored
        #expect(volatility.count == 1 && volatility.sigmaPerSqrtSecond == nil)
        volatility.add(SpotPrice(micros: 100_000_000_000), atMillis: 2_000)  // back
        let sigma = try! #require(volatility.sigmaPerSqrtSecond)
        #expect(abs(sigma - 0.0001) < 0.000001, "\(sigma)")
        // A gap of 4 s with the same move counts as 4 s of time: σ drops.
        volatility.add(SpotPrice(micros: 100_010_000_000), atMillis: 6_000)
        #expect((volatility.sigmaPerSqrtSecond ?? 1) < sigma)
        // Ticks older than the horizon leave the estimate.
        volatility.add(SpotPrice(micros: 100_010_000_000), atMillis: 100_000)
        #expect(volatility.count == 1)
    }
}
