import Foundation
import Logging
import Testing
import PolypipeTesting
import Bus
import Execution
import JournalStore
import PolypipeCore
import VenueClient

/// The executor with the in-memory ``FakeVenue``: random action sequences through the whole
/// pipeline (validation, risk, signing, journal, POST) never produce a signed order that breaks
/// a limit. The check reads what was *signed* (the journal), not what the risk engine says.
@Suite struct ExecutorPropertyTests {
    static let key = try! PrivateKey(hex: "0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d")
    @Test(arguments: 0..<12)
    func randomActionsNeverSignAnOrderBeyondALimit(seed: UInt64) throws {
        let directory = NSTemporaryDirectory() + "exec-prop-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let journal = try Journal(path: directory + "/journal.sqlite")
        let credentials = FakeVenue.credentials
        let venue = try FakeVenue().client(key: Self.key)
        let limits = RiskLimits(maxOrderNotional: Collateral(micros: 20_000_000), maxMarketExposure: Collateral(micros: 60_000_000),
                                maxTotalExposure: Collateral(micros: 100_000_000), maxOrdersPerMinute: 40,
                                priceBand: Price(micros: 50_000), dailyLossLimit: Collateral(micros: 1_000_000_000))
        let executor = try Executor(configuration: .init(mode: .paper, owner: credentials.apiKey), journal: journal, venue: venue,
                                    builder: OrderBuilder(signer: OrderSigner(key: Self.key, chain: .polygon), signatureType: .eoa, funder: nil),
                                    limits: limits, health: VenueHealth(healthy: true), logger: Logger(label: "test"))
        try executor.reconcileAtStartup()

        var random = SplitMix64(seed: seed)
        var signed: [(market: String, notional: UInt64)] = []
        for index in 0..<120 {
            let market = FakeMarket.standard[Int(random.next() % 3)]
            var action = Polypipe_Bus_V1_Action()
            action.id = "p\(seed)-\(index % 100)"  // some ids repeat: duplicates must not sign again
            action.market = random.next() % 10 == 0 ? FakeMarket.standard[(Int(random.next() % 2) + 1) % 3].condition : market.condition
            action.tokenID = market.tokens[Int(random.next() % 2)]
            action.side = random.next() % 8 == 0 ? .sell : .buy
            action.sizeMicros = (random.next() % 60 + 1) * 1_000_000
            action.limitPriceMicros = (random.next() % 30 + 35) * 10_000 + (random.next() % 6 == 0 ? 5_000 : 0)
            action.expectedPriceMicros = action.limitPriceMicros
            action.createdAtMs = BusClock.nowMillis() - (random.next() % 20 == 0 ? 60_000 : 0)
            action.ttlMs = 30_000
            let event = executor.handle(action, receivedAtNanos: BusClock.nowNanos())
            if event.outcome == .accepted {
                let notional = UInt64((UInt128(action.sizeMicros) * UInt128(action.limitPriceMicros) + 999_999) / 1_000_000)
                signed.append((event.market, notional))
            }
            if random.next() % 25 == 0 { executor.setState(random.next() % 2 == 0 ? .reducing : .running, reason: "random") }
        }
        // What was signed, checked against the limits independently of the risk engine.
        #expect(signed.count <= limits.maxOrdersPerMinute)
        for order in signed { #expect(order.notional <= limits.maxOrderNotional.micros) }
        var perMarket: [String: UInt64] = [:]
        for order in signed { perMarket[order.market, default: 0] += order.notional }
        for (_, exposure) in perMarket { #expect(exposure <= limits.maxMarketExposure.micros) }
        #expect(perMarket.values.reduce(0, +) <= limits.maxTotalExposure.micros)
        // Exactly once: one journal entry per accepted action id.
        let entries = try journal.entries(in: Journal.State.allCases)
        #expect(Set(entries.map(\.actionID)).count == entries.count)
        #expect(entries.count == signed.count)
        #expect(signed.count > 0)
    }
}
