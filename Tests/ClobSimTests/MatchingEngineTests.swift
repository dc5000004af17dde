@testable import clob_sim
import Testing
import PolypipeCore

@Suite struct MatchingEngineTests {
    let market = MarketCatalog.binary(slug: "engine-test", question: "engine test")
    var up: TokenID { market.tokens[0] }
    var down: TokenID { market.tokens[1] }
    let alice = try! EthereumAddress("0x0000000000000000000000000000000000000a11")
    let bob = try! EthereumAddress("0x0000000000000000000000000000000000000b0b")
    let carol = try! EthereumAddress("0x0000000000000000000000000000000000000ca1")

    func engine() -> MatchingEngine {
        var engine = MatchingEngine(seed: 7)
        for account in [alice, bob, carol] {
            engine.fund(account, collateral: 1_000_000_000)  // $1000
            engine.fund(account, token: up, shares: 100_000_000)
            engine.fund(account, token: down, shares: 100_000_000)
        }
        return engine
    }

    var counter = 0
    /// A limit order of `size` shares at `price` (decimal text), as the SDK computes its amounts.
    mutating func order(_ owner: EthereumAddress, _ side: Side, _ token: TokenID, price: String, size: String,
                        type: OrderType = .gtc, postOnly: Bool = false, expiration: UInt64 = 0) -> MatchingEngine.Incoming {
        counter += 1
        let amounts = try! OrderAmounts.limit(side: side, price: price, size: size, tick: market.tick)
        return .init(id: "0x\(counter)", owner: "key-\(owner.lowercased.suffix(4))", maker: owner, market: market, token: token, side: side,
                     makerAmount: UInt64(amounts.makerAmount), takerAmount: UInt64(amounts.takerAmount), orderType: type,
                     postOnly: postOnly, expiration: expiration)
    }

    /// Value in the system: collateral plus $1 per Up+Down pair outstanding (a mint turns $1
    /// into one pair, a merge one pair into $1, a transfer changes neither).
    func wealth(_ engine: MatchingEngine) -> Int64 {
        var shares: Int64 = 0
        for account in [alice, bob, carol] {
            shares += engine.ledger.balance(account, up) + engine.ledger.balance(account, down)
        }
        return engine.ledger.totalCollateral + shares / 2
    }

    @Test mutating func priceThenTimePriorityAtTheMakersPrice() throws {
        var engine = engine()
        _ = try engine.place(order(alice, .sell, up, price: "0.50", size: "10"), nowMillis: 0)  // 0x1
        _ = try engine.place(order(bob, .sell, up, price: "0.50", size: "10"), nowMillis: 0)    // 0x2
        _ = try engine.place(order(carol, .sell, up, price: "0.49", size: "10"), nowMillis: 0)  // 0x3
        let placement = try engine.place(order(alice, .buy, up, price: "0.55", size: "15"), nowMillis: 0)
        #expect(placement.status == "matched")
        let trade = try #require(engine.trades.last)
        #expect(trade.makerLegs.map(\.orderID) == ["0x3", "0x1"])
        #expect(trade.makerLegs.map(\.price) == [490_000, 500_000])
        #expect(trade.makerLegs.map(\.amount) == [10_000_000, 5_000_000])
        // The taker paid the makers' prices: 10 × 0.49 + 5 × 0.50 = 7.40, not 15 × 0.55.
        #expect(placement.making == 7_400_000 && placement.taking == 15_000_000)
        #expect(engine.orders["0x1"]?.remaining == 5_000_000 && engine.orders["0x2"]?.remaining == 10_000_000)
    }

    @Test mutating func complementaryFillMovesExactlyTheTradedAmounts() throws {
        var engine = engine()
        let before = wealth(engine)
        _ = try engine.place(order(bob, .sell, up, price: "0.60", size: "10"), nowMillis: 0)
        _ = try engine.place(order(alice, .buy, up, price: "0.60", size: "10"), nowMillis: 0)
        #expect(engine.ledger.balance(alice) == 1_000_000_000 - 6_000_000)
        #expect(engine.ledger.balance(bob) == 1_000_000_000 + 6_000_000)
        #expect(engine.ledger.balance(alice, up) == 110_000_000 && engine.ledger.balance(bob, up) == 90_000_000)
        #expect(wealth(engine) == before)
    }

    @Test mutating func twoBuysAcrossTokensMintWhenPricesSumToOneOrMore() throws {
        var engine = engine()
        let before = wealth(engine)
        defer { #expect(wealth(engine) == before, "value is conserved") }
        _ = try engine.place(order(bob, .buy, down, price: "0.45", size: "10"), nowMillis: 0)
        let placement = try engine.place(order(alice, .buy, up, price: "0.60", size: "10"), nowMillis: 0)
        #expect(placement.status == "matched")
        // Alice pays 1 − 0.45 = 0.55 per share (price improvement), Bob his 0.45: $10 in, 10 pairs out.
        #expect(engine.ledger.balance(alice) == 1_000_000_000 - 5_500_000)
        #expect(engine.ledger.balance(bob) == 1_000_000_000 - 4_500_000)
        #expect(engine.ledger.balance(alice, up) == 110_000_000 && engine.ledger.balance(bob, down) == 110_000_000)
    }

    @Test mutating func twoBuysThatSumBelowOneDoNotCross() throws {
        var engine = engine()
        _ = try engine.place(order(bob, .buy, down, price: "0.40", size: "10"), nowMillis: 0)
        let placement = try engine.place(order(alice, .buy, up, price: "0.55", size: "10"), nowMillis: 0)
        #expect(placement.status == "live" && engine.trades.isEmpty)
    }

    @Test mutating func twoSellsAcrossTokensMergeWhenPricesSumToOneOrLess() throws {
        var engine = engine()
        let before = wealth(engine)
        defer { #expect(wealth(engine) == before, "value is conserved") }
        _ = try engine.place(order(bob, .sell, down, price: "0.40", size: "10"), nowMillis: 0)
        let placement = try engine.place(order(alice, .sell, up, price: "0.55", size: "10"), nowMillis: 0)
        #expect(placement.status == "matched")
        // Ten pairs redeem for $10: Bob gets his 0.40, Alice the rest, 0.60 (≥ her 0.55).
        #expect(engine.ledger.balance(alice) == 1_000_000_000 + 6_000_000)
        #expect(engine.ledger.balance(bob) == 1_000_000_000 + 4_000_000)
        #expect(engine.ledger.balance(alice, up) == 90_000_000 && engine.ledger.balance(bob, down) == 90_000_000)
    }

    @Test mutating func fokIsAllOrNothingAndChangesNothingWhenKilled() throws {
        var engine = engine()
        _ = try engine.place(order(bob, .sell, up, price: "0.50", size: "5"), nowMillis: 0)
        let snapshot = engine.ledger.balance(alice)
        #expect(throws: SimError.fokNotFilled) { try engine.place(order(alice, .buy, up, price: "0.50", size: "10", type: .fok), nowMillis: 0) }
        #expect(engine.ledger.balance(alice) == snapshot && engine.trades.isEmpty)
        #expect(engine.ledger.availableCollateral(alice) == snapshot, "nothing stays reserved")
    }

    @Test mutating func fakFillsWhatCrossesAndCancelsTheRest() throws {
        var engine = engine()
        _ = try engine.place(order(bob, .sell, up, price: "0.50", size: "5"), nowMillis: 0)
        let placement = try engine.place(order(alice, .buy, up, price: "0.50", size: "10", type: .fak), nowMillis: 0)
        #expect(placement.status == "matched" && placement.taking == 5_000_000)
        #expect(engine.orders.values.first { $0.owner.hasSuffix("0a11") }?.status == .canceled)
        #expect(engine.ledger.availableCollateral(alice) == engine.ledger.balance(alice), "the unfilled remainder's reservation is released")
        #expect(throws: SimError.fakNoMatch) { try engine.place(order(carol, .buy, up, price: "0.50", size: "10", type: .fak), nowMillis: 0) }
    }

    @Test mutating func postOnlyNeverTakes() throws {
        var engine = engine()
        _ = try engine.place(order(bob, .sell, up, price: "0.50", size: "10"), nowMillis: 0)
        #expect(throws: SimError.postOnlyCrosses) { try engine.place(order(alice, .buy, up, price: "0.50", size: "10", postOnly: true), nowMillis: 0) }
        #expect(try engine.place(order(alice, .buy, up, price: "0.49", size: "10", postOnly: true), nowMillis: 0).status == "live")
        #expect(throws: SimError.postOnlyType) { try engine.place(order(alice, .buy, up, price: "0.49", size: "10", type: .fok, postOnly: true), nowMillis: 0) }
    }

    @Test mutating func restingOrdersReserveTheirBalanceUntilCancelled() throws {
        var engine = MatchingEngine(seed: 1)
        engine.fund(alice, collateral: 10_000_000)  // $10
        _ = try engine.place(order(alice, .buy, up, price: "0.50", size: "16"), nowMillis: 0)  // holds $8
        #expect(engine.ledger.availableCollateral(alice) == 2_000_000)
        #expect(throws: SimError.notEnoughBalance) { try engine.place(order(alice, .buy, up, price: "0.50", size: "6"), nowMillis: 0) }
        #expect(engine.cancel("0x1", owner: "key-0a11") == nil)
        #expect(engine.ledger.availableCollateral(alice) == 10_000_000)
        #expect(engine.cancel("0x1", owner: "key-0a11") == "Order not found or already canceled")
        // Shares too: a SELL needs the shares, reserved while it rests.
        #expect(throws: SimError.notEnoughBalance) { try engine.place(order(alice, .sell, up, price: "0.50", size: "5"), nowMillis: 0) }
    }

    @Test mutating func venueRulesOnPriceSizeAndNotional() throws {
        var engine = engine()
        var offGrid = order(alice, .buy, up, price: "0.50", size: "10")
        offGrid = .init(id: "0xoff", owner: offGrid.owner, maker: alice, market: market, token: up, side: .buy, makerAmount: 5_050_000,
                        takerAmount: 10_000_000, orderType: .gtc, postOnly: false, expiration: 0)  // 0.505 on a 0.01 grid
        #expect(throws: SimError.badRequest("order 0xoff is invalid. Price (0.505) breaks minimum tick size rule: 0.01")) {
            try engine.place(offGrid, nowMillis: 0)
        }
        #expect(throws: SimError.self) { try engine.place(order(alice, .buy, up, price: "0.50", size: "4"), nowMillis: 0) }
        _ = try engine.place(order(bob, .sell, up, price: "0.10", size: "50"), nowMillis: 0)
        var small = order(alice, .buy, up, price: "0.10", size: "5", type: .fok)  // a $0.50 marketable BUY
        small = .init(id: small.id, owner: small.owner, maker: alice, market: market, token: up, side: .buy, makerAmount: 500_000,
                      takerAmount: 5_000_000, orderType: .fok, postOnly: false, expiration: 0)
        #expect(throws: SimError.badRequest("invalid amount for a marketable BUY order ($0.5), min size: $1")) { try engine.place(small, nowMillis: 0) }
        #expect(throws: SimError.duplicated) {
            let again = try engine.place(order(carol, .buy, up, price: "0.05", size: "10"), nowMillis: 0)
            _ = again
            let last = "0x\(counter)"
            _ = try engine.place(.init(id: last, owner: "key-0ca1", maker: carol, market: market, token: up, side: .buy, makerAmount: 500_000,
                                       takerAmount: 10_000_000, orderType: .gtc, postOnly: false, expiration: 0), nowMillis: 0)
        }
    }

    @Test mutating func gtdOrdersExpireAboutAMinuteEarly() throws {
        var engine = engine()
        _ = try engine.place(order(alice, .buy, up, price: "0.40", size: "10", type: .gtd, expiration: 1_000), nowMillis: 0)
        #expect(engine.expire(nowSeconds: 900).isEmpty)
        #expect(engine.expire(nowSeconds: 940) == ["0x1"])
        #expect(engine.ledger.availableCollateral(alice) == engine.ledger.balance(alice))
        #expect(throws: SimError.invalidExpiration) { try engine.place(order(alice, .buy, up, price: "0.40", size: "10", type: .gtd, expiration: 5), nowMillis: 10_000) }
    }

    @Test mutating func settlementMovesThroughMinedToConfirmed() throws {
        var engine = engine()
        _ = try engine.place(order(bob, .sell, up, price: "0.60", size: "10"), nowMillis: 0)
        _ = try engine.place(order(alice, .buy, up, price: "0.60", size: "10"), nowMillis: 0)
        _ = engine.advanceTrades(nowMillis: 1_000, minedAfter: 2_000, confirmedAfter: 5_000) { _ in false }
        #expect(engine.trades[0].status == .matched)
        _ = engine.advanceTrades(nowMillis: 2_000, minedAfter: 2_000, confirmedAfter: 5_000) { _ in false }
        #expect(engine.trades[0].status == .mined && !engine.trades[0].transactionHash.isEmpty)
        _ = engine.advanceTrades(nowMillis: 5_000, minedAfter: 2_000, confirmedAfter: 5_000) { _ in false }
        #expect(engine.trades[0].status == .confirmed)
    }

    @Test mutating func aFailedTradeIsVoidedAndBalancesRestored() throws {
        var engine = engine()
        let before = (engine.ledger.balance(alice), engine.ledger.balance(bob), engine.ledger.balance(alice, up), engine.ledger.balance(bob, up))
        _ = try engine.place(order(bob, .sell, up, price: "0.60", size: "10"), nowMillis: 0)
        _ = try engine.place(order(alice, .buy, up, price: "0.60", size: "10"), nowMillis: 0)
        #expect(engine.ledger.balance(alice, up) == before.2 + 10_000_000)
        _ = engine.advanceTrades(nowMillis: 2_000, minedAfter: 2_000, confirmedAfter: 5_000) { _ in true }
        #expect(engine.trades[0].status == .retrying)
        _ = engine.advanceTrades(nowMillis: 5_000, minedAfter: 2_000, confirmedAfter: 5_000) { _ in true }
        #expect(engine.trades[0].status == .failed)
        let after = (engine.ledger.balance(alice), engine.ledger.balance(bob), engine.ledger.balance(alice, up), engine.ledger.balance(bob, up))
        #expect(after == before)
    }

    @Test mutating func absurdAmountsAreRefusedNotTrapped() throws {
        var engine = engine()
        for (maker, taker) in [(UInt64.max, UInt64(1)), (UInt64(1), UInt64.max), (UInt64(9_000_000_000_000_000), UInt64(10_000_000)),
                               (UInt64(20_000_000), UInt64(10_000_000))] {
            let incoming = MatchingEngine.Incoming(id: "0xbad\(maker)\(taker)", owner: "key-0a11", maker: alice, market: market, token: up, side: .buy,
                                                   makerAmount: maker, takerAmount: taker, orderType: .gtc, postOnly: false, expiration: 0)
            #expect(throws: SimError.self) { try engine.place(incoming, nowMillis: 0) }
        }
        #expect(engine.orders.isEmpty)
    }

    @Test mutating func aLimitBuyThatCrossesMustBeWorthADollar() throws {
        var engine = engine()
        _ = try engine.place(order(bob, .sell, up, price: "0.10", size: "50"), nowMillis: 0)
        #expect(throws: SimError.badRequest("invalid amount for a marketable BUY order ($0.5), min size: $1")) {
            try engine.place(order(alice, .buy, up, price: "0.10", size: "5"), nowMillis: 0)
        }
        #expect(try engine.place(order(alice, .buy, up, price: "0.05", size: "5"), nowMillis: 0).status == "live", "a resting $0.25 bid is fine")
    }

    /// The book is kept per level as orders rest, fill and cancel; after random activity it
    /// must equal what a scan of the open orders gives.
    @Test(arguments: 0..<6 as Range<UInt64>)
    mutating func theLevelBookMatchesAScanOfOpenOrders(seed: UInt64) throws {
        var engine = engine()
        var random = SplitMix64(seed: seed)
        var placed: [String] = []
        for _ in 0..<300 {
            let owner = [alice, bob, carol][Int(random.next() % 3)]
            if random.next() % 5 == 0, let id = placed.randomElement(using: &random) {
                _ = engine.cancel(id, owner: "key-\(owner.lowercased.suffix(4))")
                continue
            }
            let side: Side = random.next() % 2 == 0 ? .buy : .sell
            let token = random.next() % 2 == 0 ? up : down
            let price = "0.\(30 + random.next() % 40)"
            let incoming = order(owner, side, token, price: price, size: String(5 + random.next() % 20))
            if (try? engine.place(incoming, nowMillis: 0)) != nil { placed.append(incoming.id) }
        }
        for token in [up, down] {
            var bids: [UInt64: UInt64] = [:], asks: [UInt64: UInt64] = [:]
            for order in engine.openOrders(on: [token]) {
                if order.side == .buy { bids[order.price, default: 0] += order.remaining } else { asks[order.price, default: 0] += order.remaining }
            }
            let book = engine.book(token)
            #expect(Dictionary(uniqueKeysWithValues: book.bids.map { ($0.price, $0.size) }) == bids)
            #expect(Dictionary(uniqueKeysWithValues: book.asks.map { ($0.price, $0.size) }) == asks)
            #expect(!bids.isEmpty || !asks.isEmpty)
        }
    }
}
