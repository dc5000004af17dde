import Fills
import PolypipeCore
/// The paper side of reconciliation: the positions the strategy's accepted actions imply, each
/// action taken at its expected price, with the same exact average-cost rules as the fills
/// (``CostBasis``).
///
/// An action counts in full from the moment exec-proc accepted it. When its order ends with
/// less than its size filled (cancelled, expired, killed, rejected), ``settle(actionID:filled:atMillis:)``
/// says how much it really bought or sold, and the paper follows. Replayed in acceptance order
/// on every change, so the book never depends on the order in which corrections arrive.
public struct PaperBook: Sendable {
    struct Accepted: Sendable, Hashable {
        let actionID: String
        let key: PositionKey
        let side: Side
        var size: Shares
        let price: Price
    }

    private var actions: [Accepted] = []
    private var indexByActionID: [String: Int] = [:]
    private var lastChange: [PositionKey: Int64] = [:]
    private var resolutions: [String: (winner: TokenID, index: Int)] = [:]

    public init() {}

    /// Adds an accepted action. Idempotent by action id: false (and nothing changes) when the
    /// action was accepted before.
    @discardableResult
    public mutating func accept(actionID: String, key: PositionKey, side: Side, size: Shares, expectedPrice: Price, atMillis: Int64) -> Bool {
        guard indexByActionID[actionID] == nil else { return false }
        indexByActionID[actionID] = actions.count
        actions.append(Accepted(actionID: actionID, key: key, side: side, size: size, price: expectedPrice))
        lastChange[key] = max(lastChange[key] ?? .min, atMillis)
        return true
    }

    /// The action's order ended having filled `filled` (0 when nothing traded): the paper now
    /// expects that much. False when the action is unknown or already at that size.
    @discardableResult
    public mutating func settle(actionID: String, filled: Shares, atMillis: Int64) -> Bool {
        guard let index = indexByActionID[actionID], actions[index].size != filled else { return false }
        actions[index].size = filled
        lastChange[actions[index].key] = max(lastChange[actions[index].key] ?? .min, atMillis)
        return true
    }

    /// The market resolved: paper positions in it close at 1 (winner) or 0, like the actual ones.
    public mutating func resolve(market: String, winner: TokenID, atMillis: Int64) {
        guard resolutions[market] == nil else { return }
        resolutions[market] = (winner, actions.count)
        for key in lastChange.keys where key.market == market { lastChange[key] = max(lastChange[key] ?? .min, atMillis) }
    }

    /// Every position any action touched, ordered by key.
    public var positions: [PaperPosition] {
        var books: [PositionKey: CostBasis] = [:]
        func settleResolutions(at index: Int) {
            for (market, resolution) in resolutions where resolution.index == index {
                for key in books.keys where key.market == market {
                    books[key]?.settle(payout: Price(micros: key.token == resolution.winner ? 1_000_000 : 0))
                }
            }
        }
        for (index, action) in actions.enumerated() {
            settleResolutions(at: index)
            books[action.key, default: CostBasis()].apply(side: action.side, shares: action.size, price: action.price)
        }
        settleResolutions(at: actions.count)
        return books.keys.sorted().compactMap { key in
            guard let book = books[key] else { return nil }
            return PaperPosition(key: key, size: Signed(micros: book.size), averagePrice: book.averagePrice, lastChangeMillis: lastChange[key] ?? 0)
        }
    }
}
