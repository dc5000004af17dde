import PolypipeCore
/// `GET /balance-allowance` (spec §4.5): the balance in base units and each spender's allowance.
public struct BalanceAllowance: Sendable, Hashable {
    /// pUSD (collateral) or shares (conditional), in 6-decimal base units.
    public let balance: UInt256
    /// Spender address → allowance in base units (often 2^256 − 1).
    public let allowances: [String: UInt256]

    /// - Throws: ``ClobError/unknown(_:)`` naming the field that could not be read.
    public init(json: JSONValue) throws(ClobError) {
        let object = try WireObject(json, context: "balance-allowance")
        let raw = try object.requiredText("balance")
        do { balance = try UInt256(decimal: raw) } catch { throw object.fail("balance", "\(raw) is not an integer amount") }
        var allowances: [String: UInt256] = [:]
        if case .object(let members)? = json["allowances"] {
            for member in members {
                guard let text = member.value.scalarText, let amount = try? UInt256(decimal: text) else {
                    throw object.fail("allowances.\(member.key)", "is not an integer amount")
                }
                allowances[member.key.lowercased()] = amount
            }
        } else if let single = object.text("allowance"), let amount = try? UInt256(decimal: single) {
            allowances[""] = amount  // the older single-allowance shape
        }
        self.allowances = allowances
    }
}

/// The answer to any cancel call (spec §4.2).
public struct CancelResult: Sendable, Hashable {
    public let canceled: [OrderID]
    /// Order ID → the venue's reason ("Order not found or already canceled", "Order already matched", …).
    public let notCanceled: [OrderID: String]

    /// - Throws: ``ClobError/unknown(_:)`` naming the field that could not be read.
    public init(json: JSONValue) throws(ClobError) {
        let object = try WireObject(json, context: "cancel result")
        canceled = try object.strings("canceled").map(OrderID.init)
        var reasons: [OrderID: String] = [:]
        if case .object(let members)? = json["not_canceled"] {
            for member in members { reasons[OrderID(member.key)] = member.value.scalarText ?? JSONWriter.serialize(member.value) }
        }
        notCanceled = reasons
    }
}

/// One page of a cursor-paginated list (spec §4): `next_cursor` "LTE=" (base64 "-1") ends it.
public struct Page<Element: Sendable>: Sendable {
    public static var firstCursor: String { "MA==" }
    public static var endCursor: String { "LTE=" }

    public let data: [Element]
    public let nextCursor: String

    public var isLast: Bool { nextCursor == Self.endCursor || nextCursor.isEmpty }

    /// - Throws: ``ClobError/unknown(_:)``.
    public init(json: JSONValue, element: (JSONValue) throws(ClobError) -> Element) throws(ClobError) {
        let object = try WireObject(json, context: "page")
        var items: [Element] = []
        for entry in try object.array("data") { items.append(try element(entry)) }
        data = items
        nextCursor = object.text("next_cursor") ?? ""
    }
}

extension ApiCredentials {
    /// `POST /auth/api-key` / `GET /auth/derive-api-key` answers `{"apiKey", "secret", "passphrase"}`.
    /// - Throws: ``ClobError/unknown(_:)``.
    public init(json: JSONValue) throws(ClobError) {
        let object = try WireObject(json, context: "api key")
        self.init(apiKey: try object.requiredText("apiKey"), secret: try object.requiredText("secret"),
                  passphrase: try object.requiredText("passphrase"))
    }
}
