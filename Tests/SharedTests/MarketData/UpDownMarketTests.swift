import Foundation
import Testing
import MarketData
import PolypipeCore

@Suite struct UpDownMarketTests {
    @Test func slugsFollowTheWindowStart() {
        let window = UpDownWindow(containing: 1_787_414_699, length: .fiveMinutes)
        #expect(window.start == 1_787_414_400 && window.end == 1_787_414_700)
        #expect(window.slug == "btc-updown-5m-1787414400")
        #expect(window.next.slug == "btc-updown-5m-1787414700")
        #expect(UpDownWindow(containing: 1_787_414_700, length: .fiveMinutes).start == 1_787_414_700, "a boundary starts the new window")
        let quarter = UpDownWindow(containing: 1_787_414_400 + 899, length: .fifteenMinutes)
        #expect(quarter.slug == "btc-updown-15m-1787414400" && quarter.end == 1_787_415_300)
        #expect(window.secondsLeft(atMillis: 1_787_414_640_500) == 59.5)
    }

    /// The recorded Gamma market of `btc-updown-5m-1787414400` (nautilus fixture), wrapped in
    /// its event as `/events?slug=` answers, with `eventMetadata.priceToBeat`.
    func recordedEvent(metadata: String = #", "eventMetadata": {"priceToBeat": 118234.567891234}"#) throws -> JSONValue {
        let url = Vectors.repositoryRoot.appendingPathComponent("../shared/fixtures/venue/nautilus/gamma_market_crypto_twap.json").standardized
        let market = try String(contentsOf: url, encoding: .utf8)
        return try JSONParser.parse(#"[{"id": "1", "slug": "btc-updown-5m-1787414400", "markets": ["# + market + "]" + metadata + "}]")
    }

    @Test func parsesTheRecordedGammaEvent() throws {
        let window = UpDownWindow(containing: 1_787_414_400, length: .fiveMinutes)
        let market = try UpDownMarket(gammaEvents: try recordedEvent(), window: window)
        #expect(market.conditionID == "0x2eea28aa905ace2f5cace17ea2b9e0e7b85a27f32ee14ed292f02fa104956bc4")
        #expect(market.upToken.description == "113013382422133157315656090194075928009220145127085300671933810669470922115281")
        #expect(market.downToken.description == "38034349155375505476764349018583065542443879908961992019053731521216367745079")
        #expect(market.start == 1_787_414_400 && market.end == 1_787_414_700)
        #expect(market.tickSize == .hundredth && market.acceptingOrders && !market.closed)
        #expect(market.priceToBeat == SpotPrice(micros: 118_234_567_891), "rounded half-even to micro-dollars")
        let early = try UpDownMarket(gammaEvents: try recordedEvent(metadata: ""), window: window)
        #expect(early.priceToBeat == nil)
    }

    /// The event with member `field` of its market set to `value`.
    func withMarketField(_ field: String, _ value: JSONValue) throws -> JSONValue {
        guard case .array(let events) = try recordedEvent(), case .object(var event) = events[0],
              let index = event.firstIndex(where: { $0.key == "markets" }), case .array(let markets) = event[index].value,
              case .object(var market) = markets[0] else { throw MarketDataError.unsupported("fixture shape") }
        market.removeAll { $0.key == field }
        market.append((field, value))
        event[index].value = .array([.object(market)])
        return .array([.object(event)])
    }

    @Test func aParseFailureNamesTheField() throws {
        let window = UpDownWindow(containing: 1_787_414_400, length: .fiveMinutes)
        let cases: [(String, JSONValue)] = [
            ("clobTokenIds", .number("5")),
            ("clobTokenIds", .string("[\"1\"]")),
            ("outcomes", .string("[\"Yes\", \"No\"]")),
            ("conditionId", .string("0x12")),
            ("endDate", .string("tomorrow")),
            ("acceptingOrders", .string("yes")),
            ("orderPriceMinTickSize", .number("0.02")),
        ]
        for (field, value) in cases {
            do {
                _ = try UpDownMarket(gammaEvents: try withMarketField(field, value), window: window)
                Issue.record("accepted \(field) = \(value)")
            } catch {
                #expect("\(error)".contains("field \(field)"), "\(error)")
            }
        }
        do {
            _ = try UpDownMarket(gammaEvents: try JSONParser.parse("[]"), window: window)
            Issue.record("accepted an empty answer")
        } catch {
            #expect("\(error)".contains("no event with slug btc-updown-5m-1787414400"))
        }
    }
}
