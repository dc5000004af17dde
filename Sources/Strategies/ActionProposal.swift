import Bus
import PolypipeCore
/// A strategy's trading decision, in exact units, before it goes on the bus as a
/// `polypipe.bus.v1.Action` (topic "action").
///
/// Prices and sizes are micro-units (``Price``, ``Shares``); times are unix milliseconds.
/// HOLD is never a proposal: a strategy that does not want to trade returns nothing.
/// `id` must be unique per decision, across restarts: exec-proc executes an id at most once.
public struct ActionProposal: Sendable, Hashable {
    /// How long the order may live on the venue (the bus's `TimeInForce`).
    public enum TimeInForce: String, Sendable, Hashable, CaseIterable {
        case gtc = "GTC"
        case fok = "FOK"
        case fak = "FAK"
        /// Good till ``ActionProposal/gtdExpiresAtMillis``.
        case gtd = "GTD"

        /// Accepts any case ("fak").
        public init?(text: String) { self.init(rawValue: text.uppercased()) }
    }

    public var id: String
    /// Condition id of the market (0x + 64 hex).
    public var market: String
    public var tokenID: TokenID
    public var side: Side
    public var size: Shares
    /// The worst price accepted; on the market's tick.
    public var limitPrice: Price
    /// The price the strategy expects to trade at (slippage is measured against it).
    public var expectedPrice: Price
    public var createdAtMillis: Int64
    public var ttlMillis: Int64
    public var timeInForce: TimeInForce
    /// "fair-value", "replay" or "external:<name>".
    public var strategy: String
    public var postOnly: Bool
    /// A resting lifetime: exec-proc cancels the order itself once it has rested this long
    /// (ms; 0: none).
    public var maxRestMillis: Int64 = 0
    /// GTD: when the order should leave the book (unix ms); exec-proc checks and signs it.
    public var gtdExpiresAtMillis: Int64 = 0
    /// Market BUY by amount (FOK/FAK): pUSD to spend, micro-units; `size` is then zero.
    public var amountMicros: UInt64 = 0

    public init(id: String, market: String, tokenID: TokenID, side: Side, size: Shares, limitPrice: Price, expectedPrice: Price,
                createdAtMillis: Int64, ttlMillis: Int64, timeInForce: TimeInForce = .gtc, strategy: String, postOnly: Bool = false) {
        self.id = id
        self.market = market
        self.tokenID = tokenID
        self.side = side
        self.size = size
        self.limitPrice = limitPrice
        self.expectedPrice = expectedPrice
        self.createdAtMillis = createdAtMillis
        self.ttlMillis = ttlMillis
        self.timeInForce = timeInForce
        self.strategy = strategy
        self.postOnly = postOnly
    }

    /// The bus message (schema `polypipe.bus.v1.Action`).
    public var busMessage: Polypipe_Bus_V1_Action {
        var action = Polypipe_Bus_V1_Action()
        action.id = id
        action.market = market
        action.tokenID = tokenID.description
        action.side = side == .buy ? .buy : .sell
        action.sizeMicros = size.micros
        action.limitPriceMicros = limitPrice.micros
        action.expectedPriceMicros = expectedPrice.micros
        action.createdAtMs = createdAtMillis
        action.ttlMs = ttlMillis
        switch timeInForce {
        case .gtc: action.timeInForce = .gtc
        case .fok: action.timeInForce = .fok
        case .fak: action.timeInForce = .fak
        case .gtd: action.timeInForce = .gtd
        }
        action.strategy = strategy
        action.postOnly = postOnly
        action.maxRestMs = maxRestMillis
        action.expiresAtMs = gtdExpiresAtMillis
        action.amountMicros = amountMicros
        return action
    }
}
