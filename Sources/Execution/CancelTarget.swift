import PolypipeCore

/// What a cancel takes off the book: exactly one order (by its id, or by the action that placed
/// it), or every order of ours in one market (optionally one outcome token).
///
/// Built from a request's fields by ``parse(orderID:actionID:market:tokenID:)``, which refuses
/// anything but exactly one well-formed target and names what was wrong.
public enum CancelTarget: Sendable, Hashable, CustomStringConvertible {
    case order(OrderID)
    case action(String)
    case market(conditionID: String, token: TokenID?)

    /// Why a request names no usable target.
    public struct Refusal: Error, Equatable, CustomStringConvertible {
        public let description: String
        init(_ text: String) { description = text }
    }

    /// The one target the fields name (empty string: not set).
    public static func parse(orderID: String, actionID: String, market: String, tokenID: String) throws(Refusal) -> CancelTarget {
        guard tokenID.isEmpty || !market.isEmpty else { throw Refusal("token_id narrows a market: set market too") }
        let named = [orderID, actionID, market].filter { !$0.isEmpty }.count
        guard named == 1 else {
            throw Refusal(named == 0 ? "no target: set exactly one of order_id, action_id or market"
                                     : "more than one target: set exactly one of order_id, action_id or market")
        }
        if !orderID.isEmpty {
            guard isHash(orderID) else { throw Refusal("order_id '\(orderID.prefix(80))' is not an order id (0x + 64 hex)") }
            return .order(OrderID(orderID))
        }
        if !actionID.isEmpty {
            guard actionID.utf8.count <= 128, actionID.unicodeScalars.allSatisfy({ $0.value > 0x20 && $0.value < 0x7F }) else {
                throw Refusal("action_id must be 1-128 printable ASCII characters without spaces")
            }
            return .action(actionID)
        }
        guard isHash(market) else { throw Refusal("market '\(market.prefix(80))' is not a condition id (0x + 64 hex)") }
        guard !tokenID.isEmpty else { return .market(conditionID: market.lowercased(), token: nil) }
        do { return .market(conditionID: market.lowercased(), token: try TokenID(decimal: tokenID)) } catch {
            throw Refusal("token_id '\(tokenID.prefix(80))' is not a decimal uint256")
        }
    }

    public var description: String {
        switch self {
        case .order(let id): return "order \(id)"
        case .action(let id): return "the order of action \(id)"
        case .market(let market, let token?): return "market \(market) token \(token)"
        case .market(let market, nil): return "market \(market)"
        }
    }

    private static func isHash(_ text: String) -> Bool {
        text.count == 66 && text.hasPrefix("0x") && text.dropFirst(2).allSatisfy(\.isHexDigit)
    }
}
