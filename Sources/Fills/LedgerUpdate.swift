import PolypipeCore
/// What one ``FillLedger`` call changed: what fill-proc publishes and ``FillStore`` persists.
public struct LedgerUpdate: Sendable, Hashable {
    /// Why a trade was dropped whole (test matrix SET-09). Nothing of a dropped trade is applied.
    public enum DropReason: Error, Sendable, Hashable, CustomStringConvertible {
        /// The JSON could not be read as a trade (a missing field, a non-decimal size…).
        case unreadable(String)
        /// No leg is one of our orders.
        case foreign
        /// The trade has no id.
        case missingTradeID
        /// The same order id appears on two legs of one trade.
        case repeatedOrder(OrderID)
        /// One of our legs cannot be right: zero size, a price outside (0, 1), or a token, side
        /// or market that is not the order's.
        case invalidLeg(orderID: OrderID, problem: String)
        /// A fill seen before comes back with a different size, price, side, token or role.
        case conflictingContent(FillKey)

        public var isForeign: Bool { self == .foreign }

        public var description: String {
            switch self {
            case .unreadable(let why): return "unreadable trade: \(why)"
            case .foreign: return "no leg of the trade is one of our orders"
            case .missingTradeID: return "the trade has no id"
            case .repeatedOrder(let id): return "order \(id) appears on two legs of the trade"
            case .invalidLeg(let id, let problem): return "leg of order \(id): \(problem)"
            case .conflictingContent(let key): return "\(key) was seen before with other amounts"
            }
        }
    }

    /// Fills recorded for the first time (a first sighting at FAILED included, already voided).
    public var newFills: [FillRecord] = []
    /// Known fills whose settlement status moved, voids included, as they are now.
    public var settled: [FillRecord] = []
    /// Fills that counted and are now voided (FAILED), a subset of ``settled``: fill-proc's
    /// `fill.voided`.
    public var voided: [FillRecord] = []
    /// Fills whose terminal status was contradicted (the first terminal status is kept).
    public var conflicts: [FillKey] = []
    /// Orders whose record changed.
    public var orders: [OrderRecord] = []
    /// Positions that changed.
    public var positions: [PositionKey] = []
    public var resolutions: [Resolution] = []
    /// Set when the trade was dropped whole.
    public var dropped: DropReason?

    public init() {}

    /// Every fill to write: new ones and those whose status moved.
    public var changedFills: [FillRecord] { newFills + settled }

    /// Nothing changed (a duplicate, a stale status, an unknown order, a dropped trade).
    public var isEmpty: Bool { newFills.isEmpty && settled.isEmpty && orders.isEmpty && resolutions.isEmpty }
}
