import PolypipeCore
import VenueClient

/// One binary market the simulator trades: two outcome tokens that together are worth $1.
struct SimMarket: Sendable, Hashable {
    /// The condition id (`0x` + 64 hex).
    let conditionID: String
    let question: String
    let slug: String
    /// Outcome names, in token order (index 0 = Up / Yes).
    let outcomes: [String]
    let tokens: [TokenID]
    var tick: TickSize
    /// Minimum order size in shares.
    let minimumSize: Shares
    let negRisk: Bool
    /// 2 for CTF markets, 3 for Protocol-V2 (ExchangeV3) markets.
    let exchangeVersion: ExchangeVersion
    var acceptingOrders: Bool = true
    var closed: Bool = false
    /// Window start and end (unix seconds) for Up/Down markets; nil for static markets.
    var window: ClosedRange<Int64>?
    /// Index of the winning token once resolved.
    var winner: Int?
    /// The taker fee curve and maker rebate charged on every fill (spec §2.5).
    var fees: MarketFees = .free
    /// `itode` (spec §4.4, §9): marketable orders wait ``MatchingEngine/takerDelayMillis``
    /// before they match; resting orders are placed at once.
    var takerDelay: Bool = false

    var exchange: Exchange { Exchange.select(version: exchangeVersion, negRisk: negRisk) }

    /// The other token of this market.
    func sibling(of token: TokenID) -> TokenID? {
        guard tokens.count == 2, let index = tokens.firstIndex(of: token) else { return nil }
        return tokens[1 - index]
    }

    func outcome(of token: TokenID) -> String {
        tokens.firstIndex(of: token).map { outcomes[$0] } ?? ""
    }
}
