import PolypipeCore

/// What a market charges per fill (spec §2.5, §9 "Fees"): the taker fee curve, which the venue
/// publishes as `/clob-markets` `fd = {r, e, to}` and Gamma's `feeSchedule`, and the share of
/// each taker fee paid back to the makers that provided the liquidity.
///
/// The curve itself is ``FeeSchedule`` (fill-proc's): the sim charges exactly what a client
/// recomputes from the published curve, so the formula exists once.
struct MarketFees: Sendable, Hashable {
    /// `fee = C × r × (p(1 − p))^e`, floored to 5 decimals.
    let schedule: FeeSchedule
    /// Part of each taker fee credited to the makers of the fill, in parts per million
    /// (200 000 = 20 %).
    let rebatePartsPerMillion: UInt64
    /// Gamma's `feeType` (nil when the market is fee-free).
    let type: String?

    /// No fee, no rebate: the static test markets, and every market under ``SimProfile/simple``.
    static let free = MarketFees(schedule: .free, rebatePartsPerMillion: 0, type: nil)

    /// Crypto Up/Down (spec §9): rate 0.07, exponent 1, takers only, 20 % maker rebate.
    static let cryptoUpDown: MarketFees = {
        // A constant the compiler cannot check; `MarketFeesTests` pins it. 7/100 with 2
        // decimals and exponent 1 are inside FeeSchedule's limits, so this never traps.
        let schedule = try! FeeSchedule(rate: ExactDecimal(units: 7, scale: 2), exponent: 1, takerOnly: true)
        return MarketFees(schedule: schedule, rebatePartsPerMillion: 200_000, type: "crypto_fees_v2")
    }()

    var isFree: Bool { schedule.rate.units == 0 }

    /// The taker's fee for `shares` (micro-units) at `price` (micro-units), in pUSD micro-units,
    /// a multiple of 10 (5 decimals).
    func takerFee(shares: UInt64, price: UInt64) -> UInt64 {
        schedule.fee(shares: Shares(micros: shares), price: Price(micros: price), isTaker: true).micros
    }

    /// The maker's rebate on a leg of `shares` at `price`: the rebate share of the fee that leg
    /// would cost a taker, floored to a micro-unit. The sum over a trade's legs never exceeds
    /// the rebate share of the taker's fee on the whole trade (`p(1 − p)` is concave and every
    /// step floors), so the venue never pays out more than it took.
    func makerRebate(shares: UInt64, price: UInt64) -> UInt64 {
        guard rebatePartsPerMillion > 0 else { return 0 }
        return UInt64(UInt128(takerFee(shares: shares, price: price)) * UInt128(rebatePartsPerMillion) / 1_000_000)
    }

    /// The most a BUY of `shares` limited at `price` can pay in fees, whatever it fills at:
    /// `p(1 − p)` peaks at 0.5, so fills at or below the limit cost at most the fee at
    /// `min(price, 0.5)`. Held back with the order's collateral so the fee can always be paid.
    func maximumTakerFee(shares: UInt64, limit price: UInt64) -> UInt64 {
        takerFee(shares: shares, price: min(price, 500_000))
    }

    /// The rate as the trade objects' `fee_rate_bps` shows it (0.07 → `"700"`).
    var rateBasisPoints: String {
        let bps = ExactDecimal(units: schedule.rate.units * 10_000, scale: schedule.rate.scale)
        return bps.rounded(to: bps.significantDecimalPlaces, .down).description
    }

    /// `/clob-markets` `fd` (spec §4.4): `{"r": 0.07, "e": 1, "to": true}`.
    var compactJSON: JSONValue {
        .object([("r", .number(schedule.rate.isZero ? "0" : schedule.rate.description)), ("e", .number(String(schedule.exponent))),
                 ("to", .bool(schedule.takerOnly))])
    }

    /// Gamma's fee fields (spec §6.2): `feesEnabled`, and for a fee market `feeType` and
    /// `feeSchedule {rate, exponent, takerOnly, rebateRate}`.
    var gammaFields: [(key: String, value: JSONValue)] {
        guard !isFree else { return [("feesEnabled", .bool(false))] }
        let rebate = ExactDecimal(units: UInt128(rebatePartsPerMillion), scale: 6)
        return [("feesEnabled", .bool(true)), ("feeType", .string(type ?? "")),
                ("feeSchedule", .object([("rate", .number(schedule.rate.description)), ("exponent", .number(String(schedule.exponent))),
                                         ("takerOnly", .bool(schedule.takerOnly)),
                                         ("rebateRate", .number(rebate.shortDescription))]))]
    }
}

private extension ExactDecimal {
    var isZero: Bool { units == 0 }
}
