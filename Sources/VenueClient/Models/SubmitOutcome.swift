import PolypipeCore
/// What an order submit achieved, as far as the venue has proven (spec §4.1).
///
/// - Important: `.unknown` is not `.rejected`. A timeout, a reset, a 5xx or an unreadable answer
///   may hide a placed order; resolve it by looking the order up by its ID (the EIP-712 digest,
///   known before sending).
public enum SubmitOutcome: Sendable, Equatable {
    case accepted(OrderAcceptance)
    /// The venue proved this order is not acceptable, with its reason (a 400 error body, or
    /// `success: false`). Sending the same bytes again would fail the same way.
    case rejected(reason: String)
    /// This attempt was refused as a whole before the order was considered (rate limit, trading
    /// paused, auth refused, or never sent): proven not placed, and the same bytes may be sent
    /// again later.
    case refused(ClobError)
    /// No proof either way.
    case unknown(reason: String)
}

/// The venue's answer for an accepted order.
public struct OrderAcceptance: Sendable, Equatable {
    public let orderID: String
    /// `live` (resting), `matched` (filled at least partly on entry), `delayed` (held by the
    /// taker delay) or `unmatched` (marketable, placement ok).
    public let status: String
    /// Amounts filled on entry, as the venue wrote them (units UNCONFIRMED: spec §4.1).
    public let makingAmount: String
    public let takingAmount: String
    public let tradeIDs: [String]
    public let transactionHashes: [String]
}

extension SubmitOutcome {
    /// Statuses that mean the order is on the venue.
    static let placedStatuses: Set<String> = ["live", "matched", "delayed", "unmatched"]

    /// Reads one order result object (`POST /order`, or one leg of `POST /orders`).
    public init(result: JSONValue) {
        guard let object = try? WireObject(result, context: "order result") else {
            self = .unknown(reason: "unreadable order result: \(JSONWriter.serialize(result).prefix(200))")
            return
        }
        let success = object.bool("success")
        let error = object.text("errorMsg") ?? object.text("error") ?? ""
        let orderID = object.text("orderID") ?? ""
        let status = (object.text("status") ?? "").lowercased()
        if success == false || !error.isEmpty || (success == true && orderID.isEmpty) {
            self = .rejected(reason: error.isEmpty ? "success: false without a message" : error)
            return
        }
        guard success == true, SubmitOutcome.placedStatuses.contains(status) else {
            self = .unknown(reason: "order result with success \(success.map(String.init) ?? "absent") and status \"\(status)\"")
            return
        }
        self = .accepted(OrderAcceptance(orderID: orderID, status: status,
                                         makingAmount: object.text("makingAmount") ?? "",
                                         takingAmount: object.text("takingAmount") ?? "",
                                         tradeIDs: (try? object.strings("tradeIDs")) ?? [],
                                         transactionHashes: (try? object.strings("transactionsHashes")) ?? []))
    }
}
