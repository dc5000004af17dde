import PolypipeCore

/// A trading call: the requests that draw on a signer's token buckets (spec §6.1).
enum TradingCall: Sendable {
    case postOrder, postOrders, cancelOrder, cancelOrders, cancelAll, cancelMarket

    /// The call a request is, or nil for every other request (reads, heartbeats, auth).
    init?(method: String, parts: [String]) {
        guard parts.count == 1 else { return nil }
        switch (method, parts[0]) {
        case ("POST", "order"): self = .postOrder
        case ("POST", "orders"): self = .postOrders
        case ("DELETE", "order"): self = .cancelOrder
        case ("DELETE", "orders"): self = .cancelOrders
        case ("DELETE", "cancel-all"): self = .cancelAll
        case ("DELETE", "cancel-market-orders"): self = .cancelMarket
        default: return nil
        }
    }

    var bucket: SignerRateLimits.Kind {
        switch self {
        case .postOrder, .postOrders: return .orders
        case .cancelOrder, .cancelOrders, .cancelAll, .cancelMarket: return .cancels
        }
    }

    /// Tokens taken before the call runs: 1, or one per element of a batch as sent (a body
    /// that is not a JSON array costs 1 and is then refused as a bad payload). `/cancel-all`
    /// and `/cancel-market-orders` take 1 here and are charged one more per order they
    /// cancelled afterwards (``chargesPerCancelled``).
    func upfrontCost(body: [UInt8]) -> Int {
        switch self {
        case .postOrder, .cancelOrder, .cancelAll, .cancelMarket: return 1
        case .postOrders, .cancelOrders:
            guard case .array(let items)? = try? JSONParser.parse(body) else { return 1 }
            return max(1, items.count)
        }
    }

    var chargesPerCancelled: Bool { self == .cancelAll || self == .cancelMarket }
}
