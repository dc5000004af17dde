import Testing
import PolypipeCore

@Suite struct OrderAmountsTests {
    /// The rounding table of spec §2.1 (identical in every official SDK).
    @Test func roundingTable() {
        let table: [TickSize: (Int, Int, Int)] = [
            .tenth: (1, 2, 3), .hundredth: (2, 2, 4), .fiveThousandths: (3, 2, 5),
            .twentyFiveTenThousandths: (4, 2, 6), .thousandth: (3, 2, 5), .tenThousandth: (4, 2, 6),
        ]
        #expect(TickSize.allCases.count == 6)
        for tick in TickSize.allCases {
            let expected = table[tick]!
            #expect((tick.precision.price, tick.precision.size, tick.precision.amount) == expected, "\(tick)")
        }
    }

    @Test(arguments: Vectors.cases("constants"))
    func roundingTableMatchesTheOfficialClient(_ vector: VectorCase) {
        for tick in TickSize.allCases {
            let row = vector.expected.at("rounding_config")?[tick.rawValue]
            #expect(row?.text("price") == String(tick.precision.price))
            #expect(row?.text("size") == String(tick.precision.size))
            #expect(row?.text("amount") == String(tick.precision.amount))
        }
    }

    /// Worked examples of spec §2.2 and §2.3 (official SDK tests).
    @Test(arguments: [
        ("BUY", "0.5", "21.04", "0.01", "10520000", "21040000"),
        ("BUY", "0.56", "21.04", "0.01", "11782400", "21040000"),
        ("BUY", "0.056", "21.04", "0.001", "1178240", "21040000"),
        ("BUY", "0.0056", "21.04", "0.0001", "117824", "21040000"),
        ("SELL", "0.56", "21.04", "0.01", "21040000", "11782400"),
        ("BUY", "0.57", "10.123", "0.01", "5768400", "10120000"),
        // The official float client gets this one wrong (0.29 shares becomes 0.28).
        ("BUY", "0.5", "0.29", "0.01", "145000", "290000"),
    ])
    func limitWorkedExamples(_ example: (String, String, String, String, String, String)) throws {
        let amounts = try OrderAmounts.limit(side: Side(text: example.0)!, price: example.1, size: example.2, tick: TickSize(text: example.3)!)
        #expect(String(amounts.makerAmount) == example.4)
        #expect(String(amounts.takerAmount) == example.5)
    }

    @Test(arguments: [
        ("BUY", "0.5", "100", "0.01", "100000000", "200000000"),
        ("BUY", "0.57", "10", "0.01", "10000000", "17543800"),
        ("SELL", "0.57", "10", "0.01", "10000000", "5700000"),
        ("BUY", "0.333", "5", "0.001", "5000000", "15015010"),
    ])
    func marketWorkedExamples(_ example: (String, String, String, String, String, String)) throws {
        let amounts = try OrderAmounts.market(side: Side(text: example.0)!, price: example.1, amount: example.2, tick: TickSize(text: example.3)!)
        #expect(String(amounts.makerAmount) == example.4)
        #expect(String(amounts.takerAmount) == example.5)
    }

    @Test(arguments: [("0", "0.01"), ("0.005", "0.01"), ("0.995", "0.01"), ("1", "0.01"), ("0.9999", "0.001"),
                      ("1e-05", "0.0001"), ("0.99751", "0.0025"), ("0.0024", "0.0025")])
    func refusesPricesOutsideTickToOneMinusTick(_ example: (String, String)) {
        let tick = TickSize(text: example.1)!
        #expect(throws: OrderAmounts.Failure.priceOutOfRange(price: example.0, tick: tick)) {
            try OrderAmounts.limit(side: .buy, price: example.0, size: "10", tick: tick)
        }
        #expect(throws: OrderAmounts.Failure.priceOutOfRange(price: example.0, tick: tick)) {
            try OrderAmounts.market(side: .buy, price: example.0, amount: "10", tick: tick)
        }
    }

    @Test func rangeErrorReadsLikeTheOfficialClient() {
        #expect(OrderAmounts.Failure.priceOutOfRange(price: "0.995", tick: .hundredth).description == "invalid price (0.995), min: 0.01 - max: 0.99")
        #expect(OrderAmounts.Failure.priceOutOfRange(price: "0.99751", tick: .twentyFiveTenThousandths).description == "invalid price (0.99751), min: 0.0025 - max: 0.9975")
    }

    @Test func refusesNegativeAndMalformedNumbers() {
        #expect(throws: OrderAmounts.Failure.self) { try OrderAmounts.limit(side: .buy, price: "0.5", size: "-10", tick: .hundredth) }
        #expect(throws: OrderAmounts.Failure.self) { try OrderAmounts.limit(side: .buy, price: "0.5", size: "ten", tick: .hundredth) }
        #expect(throws: OrderAmounts.Failure.self) { try OrderAmounts.limit(side: .buy, price: "nan", size: "10", tick: .hundredth) }
    }

    @Test(arguments: Vectors.cases("limit_amounts"))
    func limitAmountsEqualTheExactReference(_ vector: VectorCase) throws {
        try check(vector, market: false)
    }

    @Test(arguments: Vectors.cases("market_amounts"))
    func marketAmountsEqualTheExactReference(_ vector: VectorCase) throws {
        try check(vector, market: true)
    }

    private func check(_ vector: VectorCase, market: Bool) throws {
        let inputs = vector.inputs
        let side = try #require(Side(text: inputs.text("side")))
        let tick = try #require(TickSize(text: inputs.text("tick_size")))
        let price = inputs.text("price_str")
        let reference = try #require(vector.expected["exact_decimal_reference"])
        let amounts = market
            ? try OrderAmounts.market(side: side, price: price, amount: inputs.text("amount_str"), tick: tick)
            : try OrderAmounts.limit(side: side, price: price, size: inputs.text("size_str"), tick: tick)
        #expect(String(amounts.makerAmount) == reference.text("maker_amount"))
        #expect(String(amounts.takerAmount) == reference.text("taker_amount"))
        #expect(amounts.price == (try ExactDecimal(reference.text("rounded_price"))))
        // Where the official client's floats were exact, we equal the official value too.
        if reference["differs_from_official"]?.boolValue == false {
            #expect(String(amounts.makerAmount) == vector.expected.text("maker_amount"))
            #expect(String(amounts.takerAmount) == vector.expected.text("taker_amount"))
        }
    }
}
