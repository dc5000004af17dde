import PolypipeCore
/// The identity of one fill: one of *our* orders' legs in one venue trade.
///
/// A trade id alone is not enough: one trade can fill several of our orders (our taker order
/// against our own resting order, or two of our resting orders as makers), and each is its own
/// fill. The venue repeats the same trade on every settlement step, on REST and on the user
/// channel, so this key is what makes "seen twice" count once.
///
/// Order ids are ``OrderID``s: the venue and the journal agree on the hash, not always on the
/// spelling of its hex digits, and an ``OrderID`` compares them in lower case.
public struct FillKey: Sendable, Hashable, Comparable, CustomStringConvertible {
    public let tradeID: String
    public let orderID: OrderID

    public init(tradeID: String, orderID: OrderID) {
        self.tradeID = tradeID
        self.orderID = orderID
    }

    public static func < (lhs: FillKey, rhs: FillKey) -> Bool {
        (lhs.tradeID, lhs.orderID) < (rhs.tradeID, rhs.orderID)
    }

    public var description: String { "trade \(tradeID) order \(orderID)" }
}
