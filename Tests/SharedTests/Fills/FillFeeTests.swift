import Foundation
import Testing
import Fills
import PolypipeCore
import Reconciliation

/// Fees in P&L (spec §2.5, §9): every fill records its fee; realized P&L — per position, in the
/// statistics block and in the figure recon-proc's daily-loss switch reads — is net of fees.
@Suite struct FillFeeTests {
    typealias S = FillScenario
    static let crypto = FillLedger.Configuration(feeSchedules: [S.market: try! FeeSchedule(rate: "0.07", exponent: "1", takerOnly: true)])

    /// BUY 100 at 0.50 and SELL 100 at 0.60, both as taker: +10 gross; fees 100 × 0.07 × 0.25 =
    /// 1.75 and 100 × 0.07 × 0.24 = 1.68.
    static func roundTrip(configuration: FillLedger.Configuration = crypto, sellPrice: UInt64 = 600_000) -> FillLedger {
        var ledger = S.ledger([S.order(1, size: 100_000_000), S.order(2, .sell, size: 100_000_000)], configuration: configuration)
        _ = ledger.ingest(S.takerTrade("t1", order: 1, .buy, size: 100_000_000, price: 500_000, status: .confirmed))
        _ = ledger.ingest(S.takerTrade("t2", order: 2, .sell, size: 100_000_000, price: sellPrice, status: .confirmed))
        return ledger
    }

    @Test func realizedPnLIsNetOfTheFeesThePositionPaid() throws {
        let position = try #require(Self.roundTrip().position(S.upKey))
        #expect(position.fees == Collateral(micros: 3_430_000))
        #expect(position.grossRealizedPnL == Signed(micros: 10_000_000))
        #expect(position.realizedPnL == Signed(micros: 6_570_000))
    }

    @Test func theStatisticsBlockAndItsAssetLinesAreNetOfFees() {
        let stats = ExecutionStats(ledger: Self.roundTrip(), labels: [S.upKey: "up"])
        #expect(stats.realizedPnLMicros == 6_570_000)
        #expect(stats.feesMicros == 3_430_000)
        #expect(stats.assets.first?.realizedPnLMicros == 6_570_000)
        #expect(stats.text.contains("net realized P&L  +6.570000 pUSD"))
        #expect(stats.text.contains("realized +6.570000 (after fees 3.430000)"))
    }

    /// The daily-loss switch reads the sum of the positions' realized P&L (fill-proc's state):
    /// a round trip that loses 0.50 before fees and 3.99982 after (fees 1.75 and
    /// 100 × 0.07 × 0.249975 = 1.749825, floored to 5 decimals) trips a 3 pUSD limit.
    @Test func theDailyLossFigureCountsFees() {
        let ledger = Self.roundTrip(sellPrice: 495_000)
        let realized = ledger.positions.reduce(Int64(0)) { $0 + $1.realizedPnL.micros }
        #expect(realized == -3_999_820)
        var watch = DailyLossWatch(limit: Collateral(micros: 3_000_000))
        #expect(watch.observe(realizedMicros: 0, nowMillis: 1_000, severity: .critical) == nil)
        #expect(watch.observe(realizedMicros: realized, nowMillis: 2_000, severity: .critical) != nil)
    }

    /// A fee rate the venue writes on our leg (`fee_rate_bps`) is used with the market's curve;
    /// "" and "0" leave the market's own rate (V2 trade objects write them on charging markets).
    @Test func aReportedFeeRateOnOurLegIsUsed() throws {
        var ledger = S.ledger([S.order(1, size: 100_000_000)])  // market curve unknown: free
        let json = try JSONParser.parse(Array(#"""
            {"id": "t9", "taker_order_id": "\#(S.orderID(1))", "market": "\#(S.market)", "asset_id": "\#(S.up)", "side": "BUY",
             "size": "100", "price": "0.5", "status": "MATCHED", "match_time": "2", "fee_rate_bps": "700",
             "maker_orders": [{"order_id": "\#(S.orderID(9000))", "asset_id": "\#(S.up)", "side": "SELL", "matched_amount": "100", "price": "0.5", "fee_rate_bps": "0"}]}
            """#.utf8))
        let fills = ledger.ingest(json: json, source: .rest, observedAtMillis: 2_100).newFills
        #expect(fills.map(\.fee) == [Collateral(micros: 1_750_000)])

        let schedule = try FeeSchedule(rate: "0.07", exponent: "1", takerOnly: true)
        #expect(schedule.reported(rateBps: "") == schedule && schedule.reported(rateBps: "0") == schedule)
        #expect(schedule.reported(rateBps: "abc") == schedule && schedule.reported(rateBps: "-5") == schedule)
        #expect(schedule.reported(rateBps: "500").fee(shares: Shares(micros: 100_000_000), price: Price(micros: 500_000), isTaker: true)
                == Collateral(micros: 1_250_000))
        #expect(schedule.reported(rateBps: "500").fee(shares: Shares(micros: 100_000_000), price: Price(micros: 500_000), isTaker: false)
                == Collateral(micros: 0), "taker only stays the market's rule")
    }
}
