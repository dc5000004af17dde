import Testing
import MarketData
import PolypipeCore
@testable import Strategies
import VenueClient

/// The market maker's rules (``MarketMakerStrategy``), fed values: no process, no clock.
@Suite struct MarketMakerStrategyTests {
    let window = UpDownWindow(containing: 1_800_000_000, length: .fiveMinutes)
    let up = try! TokenID(decimal: "1000001")
    let down = try! TokenID(decimal: "2000002")
    var market: UpDownMarket {
        UpDownMarket(window: window, conditionID: "0x" + String(repeating: "ab", count: 32), upToken: up, downToken: down,
                     start: window.start, end: window.end, tickSize: .hundredth, acceptingOrders: true, priceToBeat: nil)
    }

    func book(_ token: TokenID, bid: UInt64?, ask: UInt64?) -> LocalOrderBook {
        var book = LocalOrderBook(tokenID: token)
        book.replace(bids: bid.map { [PriceLevel(price: Price(micros: $0), size: Shares(micros: 100_000_000))] } ?? [],
                     asks: ask.map { [PriceLevel(price: Price(micros: $0), size: Shares(micros: 100_000_000))] } ?? [], tickSize: .hundredth)
        return book
    }

    /// Up's book around `mid` (no model inputs: the fair value is this mid), Down's mirrored.
    func state(upMid: UInt64 = 500_000, secondsLeft: Int64 = 100, wall: Int64) -> MarketState {
        MarketState(market: market, upBook: book(up, bid: upMid - 50_000, ask: upMid + 50_000),
                    downBook: book(down, bid: 1_000_000 - upMid - 50_000, ask: 1_000_000 - upMid + 50_000), spot: nil,
                    sigmaPerSqrtSecond: nil, nowMillis: (window.end - secondsLeft) * 1_000, wallClockMillis: wall)
    }

    func maker(requote: UInt64 = 10_000) -> MarketMakerStrategy {
        var configuration = MarketMakerStrategy.Configuration()
        configuration.halfSpread = Price(micros: 20_000)
        configuration.requoteThreshold = Price(micros: requote)
        configuration.skewPerShare = Price(micros: 1_000)
        configuration.maxInventory = Shares(micros: 30_000_000)
        configuration.minCommandIntervalMillis = 1_000
        configuration.answerTimeoutMillis = 15_000
        return MarketMakerStrategy(configuration: configuration, runID: 7)
    }

    static func placed(_ commands: [StrategyCommand]) -> [ActionProposal] {
        commands.compactMap { if case .place(let proposal) = $0 { return proposal } else { return nil } }
    }

    /// Both quotes accepted by exec-proc.
    func quoted(_ maker: inout MarketMakerStrategy, wall: Int64 = 1_000) -> [ActionProposal] {
        let quotes = Self.placed(maker.commands(for: state(wall: wall)))
        for quote in quotes { maker.observe(.order(actionID: quote.id, state: .accepted(orderID: "0x\(quote.id)"))) }
        return quotes
    }

    @Test func quotesBothOutcomesPostOnlyAroundTheFairValue() {
        var maker = maker()
        let quotes = quoted(&maker)
        #expect(quotes.count == 2)
        let upBid = quotes.first { $0.tokenID == up }, downBid = quotes.first { $0.tokenID == down }
        #expect(upBid?.limitPrice.micros == 480_000 && downBid?.limitPrice.micros == 480_000, "0.50 ∓ 0.02 on each outcome")
        #expect(quotes.allSatisfy { $0.side == .buy && $0.postOnly && $0.timeInForce == .gtc && $0.maxRestMillis > 0 })
        #expect(quotes.allSatisfy { $0.limitPrice.micros % 10_000 == 0 }, "on the tick")
        #expect(maker.commands(for: state(wall: 5_000)).isEmpty, "live quotes at target: nothing to do")
    }

    @Test func aMoveOfTheThresholdReplacesAndASmallerOneDoesNot() {
        var maker = maker(requote: 20_000)
        let quotes = quoted(&maker)
        // Up 0.485 → 0.48 (unchanged), Down 0.475 → 0.47 (one tick): below the 2-cent threshold.
        #expect(maker.commands(for: state(upMid: 505_000, wall: 3_000)).isEmpty)
        let commands = maker.commands(for: state(upMid: 520_000, wall: 4_000))
        let replaces = commands.compactMap { command -> (String, ActionProposal)? in
            if case .replace(.action(let old), let new, let ifFilled) = command, ifFilled { return (old, new) } else { return nil }
        }
        #expect(replaces.count == 2)
        let upReplace = replaces.first { $0.1.tokenID == up }
        #expect(upReplace?.0 == quotes.first { $0.tokenID == up }?.id, "cancels the Up quote it replaces")
        #expect(upReplace?.1.limitPrice.micros == 500_000)
        #expect(maker.commands(for: state(upMid: 560_000, wall: 4_500)).isEmpty, "waits for the replace's answer")
        #expect(maker.counters.replaces == 2 && maker.counters.places == 2)
    }

    @Test func inventorySkewsBothBidsAndACapStopsOneSide() {
        var maker = maker()
        let quotes = quoted(&maker)
        let upQuote = quotes.first { $0.tokenID == up }!
        // 10 Up shares bought: skew 10 × 0.001 = 0.01 down on Up, up on Down.
        maker.observe(.fill(tradeID: "t1", actionID: upQuote.id, tokenID: up.description, side: .buy, size: Shares(micros: 10_000_000),
                            price: upQuote.limitPrice, voided: false))
        #expect(maker.inventory.up == 10_000_000)
        let targets = maker.targets(state(wall: 2_000))
        #expect(targets[.up]?.micros == 470_000 && targets[.down]?.micros == 490_000)
        // The same trade again (a settlement step) changes nothing; its void takes it back.
        maker.observe(.fill(tradeID: "t1", actionID: upQuote.id, tokenID: up.description, side: .buy, size: Shares(micros: 10_000_000),
                            price: upQuote.limitPrice, voided: false))
        #expect(maker.inventory.up == 10_000_000)
        maker.observe(.fill(tradeID: "t1", actionID: upQuote.id, tokenID: up.description, side: .buy, size: Shares(micros: 10_000_000),
                            price: upQuote.limitPrice, voided: true))
        #expect(maker.inventory.up == 0)
        // 30 shares long Up: the Up side is not quoted.
        maker.observe(.fill(tradeID: "t2", actionID: upQuote.id, tokenID: up.description, side: .buy, size: Shares(micros: 30_000_000),
                            price: upQuote.limitPrice, voided: false))
        #expect(maker.targets(state(wall: 3_000))[.up] == nil)
    }

    @Test func aBidNeverCrossesTheAsk() {
        var maker = maker()
        // Up ask at 0.47 under a fair value of 0.50 (no model: the fair value is the book's mid).
        var tight = state(wall: 1_000)
        tight.upBook = book(up, bid: 400_000, ask: 470_000)
        // Mid 0.435 → target 0.415: under the ask already. Push the fair value above the ask.
        tight.upBook = book(up, bid: 520_000, ask: 530_000)
        #expect(maker.targets(tight)[.up]?.micros == 505_000 / 10_000 * 10_000, "0.525 − 0.02 = 0.505 → 0.50 on the tick, under the ask")
        tight.upBook = book(up, bid: 490_000, ask: 500_000)
        tight.upBook?.setLevel(side: .buy, price: Price(micros: 600_000), size: Shares(micros: 1_000_000))  // a bid above the ask: mid 0.55
        #expect(maker.targets(tight)[.up]?.micros == 490_000, "target 0.53 would cross the 0.50 ask: one tick under it")
        _ = maker.commands(for: tight)
    }

    @Test func quotesArePulledBeforeTheWindowEndsWithOneMarketCancel() {
        var maker = maker()
        _ = quoted(&maker)
        let commands = maker.commands(for: state(secondsLeft: 20, wall: 3_000))
        guard commands.count == 1, case .cancel(let id, .market(let conditionID), _) = commands[0] else {
            Issue.record("expected one market-wide cancel, got \(commands)")
            return
        }
        #expect(conditionID == market.conditionID)
        #expect(maker.commands(for: state(secondsLeft: 19, wall: 4_000)).isEmpty, "no new quote, no second cancel while waiting")
        maker.observe(.cancel(requestID: id, state: .done, canceledOrderIDs: []))
        #expect(maker.commands(for: state(secondsLeft: 10, wall: 30_000)).isEmpty, "pulled: nothing open, nothing new")
    }

    /// A replace still in flight when the pull is due: the market cancel waits for its answer,
    /// so the new order cannot be accepted after the cancel and rest on unseen.
    @Test func thePullWaitsForAReplaceInFlight() {
        var maker = maker()
        _ = quoted(&maker)
        let replaced = maker.commands(for: state(upMid: 530_000, wall: 3_000)).compactMap { command -> ActionProposal? in
            if case .replace(_, let new, _) = command { return new } else { return nil }
        }
        #expect(replaced.count == 2)
        #expect(maker.commands(for: state(upMid: 530_000, secondsLeft: 20, wall: 3_500)).isEmpty, "waits for the replaces' answers")
        for new in replaced { maker.observe(.order(actionID: new.id, state: .accepted(orderID: "0x" + new.id))) }
        let pull = maker.commands(for: state(upMid: 530_000, secondsLeft: 19, wall: 4_000))
        guard pull.count == 1, case .cancel(_, .market, _) = pull[0] else { Issue.record("expected the market cancel, got \(pull)"); return }
    }

    @Test func aRefusedReplaceLeavesTheOldQuoteToCancelBeforeQuotingAgain() {
        var maker = maker()
        let quotes = quoted(&maker)
        let oldUp = quotes.first { $0.tokenID == up }!
        let commands = maker.commands(for: state(upMid: 530_000, wall: 3_000))
        let newUp = commands.compactMap { command -> ActionProposal? in
            if case .replace(_, let new, _) = command, new.tokenID == up { return new } else { return nil }
        }.first!
        maker.observe(.order(actionID: newUp.id, state: .ended(reason: "refused: cancel failed")))
        let next = maker.commands(for: state(upMid: 530_000, wall: 4_100))
        let cancels = next.compactMap { command -> String? in
            if case .cancel(_, .action(let actionID), _) = command { return actionID } else { return nil }
        }
        #expect(cancels == [oldUp.id], "the old quote may still rest: it is cancelled, not forgotten")
        #expect(Self.placed(next).allSatisfy { $0.tokenID != up }, "no new Up quote before that cancel is answered")
    }

    /// Random answers, moves and fills: whatever happens, at most one command per quote per
    /// interval, every price on the tick inside (0, 1), and the two bids of one moment sum to
    /// less than 1.
    @Test(arguments: 1...20) func randomSequencesKeepTheRules(seed: UInt64) {
        var generator = SplitMix64(seed: seed)
        var maker = maker()
        var lastCommandAt: [TokenID: Int64] = [:]
        var outstanding: [String] = []
        for step in 0..<300 {
            let wall = Int64(step) * 250
            let mid = UInt64.random(in: 20...80, using: &generator) * 10_000
            let commands = maker.commands(for: state(upMid: mid, secondsLeft: 200 - Int64(step) / 2, wall: wall))
            var bids: [UInt64] = []
            for command in commands {
                switch command {
                case .place(let quote), .replace(_, let quote, _):
                    #expect(quote.limitPrice.micros % 10_000 == 0 && quote.limitPrice.micros > 0 && quote.limitPrice.micros < 1_000_000)
                    if let last = lastCommandAt[quote.tokenID] { #expect(wall - last >= 1_000) }
                    lastCommandAt[quote.tokenID] = wall
                    bids.append(quote.limitPrice.micros)
                    outstanding.append(quote.id)
                case .cancel(let id, _, _):
                    outstanding.append(id)
                }
            }
            if bids.count == 2 { #expect(bids[0] + bids[1] < 1_000_000) }
            // Answer some of what is outstanding, at random.
            outstanding.shuffle(using: &generator)
            while let id = outstanding.popLast(), Bool.random(using: &generator) {
                switch Int.random(in: 0..<5, using: &generator) {
                case 0: maker.observe(.order(actionID: id, state: .accepted(orderID: "0x" + id)))
                case 1: maker.observe(.order(actionID: id, state: .ended(reason: "rejected")))
                case 2: maker.observe(.cancel(requestID: id, state: .done, canceledOrderIDs: []))
                case 3: maker.observe(.cancel(requestID: id, state: .unknown, canceledOrderIDs: []))
                default: maker.observe(.fill(tradeID: "t\(step)", actionID: id, tokenID: up.description, side: .buy,
                                             size: Shares(micros: 5_000_000), price: Price(micros: mid), voided: false))
                }
            }
        }
    }
}
