import PolypipeCore
/// What an order submit achieved, as far as the venue has proven (spec §4.1).
///
/// - Important: `.unknown` is not `.rejected`. A timeout, a reset, a 5xx or an unreadable answer
///   may hide a placed order; resolve it by looking the order up by its ID (the EIP-712 digest,
///   known before sending).
public enum SubmitOutcome: Sendable, Equatable {
    case accepted(OrderAcceptance)
    /// The venue proved this order is not acceptable, with its reason (a 400 error body, or
    /// `success: false`). Sending the same bytes again would fail the same way. The reason is
    /// read once from the venue's message, which it keeps verbatim.
    case rejected(reason: VenueRejection)
    /// This attempt was refused as a whole before the order was considered (rate limit, trading
    /// paused, auth refused, or never sent): proven not placed, and the same bytes may be sent
    /// again later.
    case refused(ClobError)
    /// No proof either way.
    case unknown(reason: String)
}

/// The venue's answer for an accepted order.
public struct OrderAcceptance: Sendable, Equatable {
    /// The id the venue gave the order; equal to the hash we signed, in any letter case.
    public let orderID: OrderID
    /// `live` (resting), `matched` (filled at least partly on entry), `delayed` (held by the
    /// taker delay) or `unmatched` (marketable, placement ok): always ``VenueOrderStatus/isPlacement``.
    public let status: VenueOrderStatus
    /// The status as the venue wrote it, lower-cased (`live`): what the journal and the bus record.
    public let statusText: String
    /// Amounts filled on entry, as the venue wrote them (units UNCONFIRMED: spec §4.1).
    public let makingAmount: String
    public let takingAmount: String
    public let tradeIDs: [String]
    public let transactionHashes: [String]
}

extension SubmitOutcome {
    /// Reads one order result object (`POST /order`, or one leg of `POST /orders`).
    public init(result: JSONValue) {
        guard let object = try? WireObject(result, context: "order result") else {
            self = .unknown(reason: "unreadable order result: \(JSONWriter.serialize(result).prefix(200))")
            return
        }
        let success = object.bool("success")
        let error = object.text("errorMsg") ?? object.text("error") ?? ""
        let orderID = object.text("orderID") ?? ""
        let statusText = (object.text("status") ?? "").lowercased()
        let status = VenueOrderStatus(text: statusText)
        if success == false || !error.isEmpty || (success == true && orderID.isEmpty) {
            self = .rejected(reason: VenueRejection(message: error.isEmpty ? "success: false without a message" : error))
            return
        }
        guard success == true, status.isPlacement else {
            self = .unknown(reason: "order result with success \(success.map(String.init) ?? "absent") and status \"\(statusText)\"")
            return
        }
        self = .accepted(OrderAcceptance(orderID: OrderID(orderID), status: status, statusText: statusText,
                                         makingAmount: object.text("makingAmount") ?? "",
                                         takingAmount: object.text("takingAmount") ?? "",
                                         tradeIDs: (try? object.strings("tradeIDs")) ?? [],
                                         transactionHashes: (try? object.strings("transactionsHashes")) ?? []))
    }
}
