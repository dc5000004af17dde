import PolypipeCore
/// The JSON body recon-proc POSTs to an alarm webhook (just the encoder; the HTTP client is
/// recon-proc's).
///
/// Shape — compatible with a Slack incoming webhook and with Telegram's `sendMessage`, which
/// read `text` (and Telegram `chat_id`); the `alarm` object is for machines:
/// ```json
/// {"text": "[CRITICAL] ghost_fill raised: paper 10.00 @ 0.52 vs actual 0.00 @ 0.00: …",
///  "chat_id": "-1001234",
///  "alarm": {"state": "raised", "kind": "ghost_fill", "severity": "critical",
///            "subject": "0x…/123…", "message": "…", "at_ms": 1700000000000,
///            "source": "recon-proc", "details": {"paper_size": "10.00", …}}}
/// ```
/// `chat_id` appears only when configured. A sink that rejects unknown fields gets
/// `structured: false`: `text` (and `chat_id`) only. Amounts in `details` are exact decimal
/// strings, never floats.
public struct AlarmWebhookPayload: Sendable, Hashable {
    public var source: String
    public var chatID: String?
    public var structured: Bool

    public init(source: String = "recon-proc", chatID: String? = nil, structured: Bool = true) {
        self.source = source
        self.chatID = chatID
        self.structured = structured
    }

    /// The body for one alarm transition, as JSON text.
    public func body(for transition: AlarmTracker.Transition) -> String {
        let finding = transition.finding
        let state: String
        let atMillis: Int64
        var extra: [(key: String, value: JSONValue)] = []
        switch transition {
        case .raised(_, let at):
            state = "raised"
            atMillis = at
        case .cleared(_, let at, let duration):
            state = "cleared"
            atMillis = at
            extra.append(("duration_ms", .number(String(duration))))
        }
        var members: [(key: String, value: JSONValue)] = [
            ("text", .string("[\(finding.severity.rawValue.uppercased())] \(finding.kind.rawValue) \(state): \(finding.message)")),
        ]
        if let chatID { members.append(("chat_id", .string(chatID))) }
        if structured {
            members.append(("alarm", .object([
                ("state", .string(state)), ("kind", .string(finding.kind.rawValue)), ("severity", .string(finding.severity.rawValue)),
                ("subject", .string(finding.subject)), ("message", .string(finding.message)), ("at_ms", .number(String(atMillis))),
                ("source", .string(source)),
            ] + extra + [("details", .object(Self.details(finding.detail)))])))
        }
        return JSONWriter.serialize(.object(members))
    }

    private static func details(_ detail: Finding.Detail) -> [(key: String, value: JSONValue)] {
        switch detail {
        case .position(let comparison): return position(comparison)
        case .ghostFill(let comparison, let failed):
            return position(comparison) + [("failed_trades", .array(failed.map { fill in
                .object([("trade_id", .string(fill.key.tradeID)), ("order_id", .string(fill.key.orderID.description)), ("side", .string(fill.side.rawValue)),
                         ("size", .string(fill.size.description)), ("price", .string(fill.price.description)),
                         ("failed_at_ms", .number(String(fill.failedAtMillis)))])
            }))]
        case .orphanOrder(let order):
            return [("order_id", .string(order.orderID.description)), ("market", .string(order.market)), ("token", .string(order.token.description)),
                    ("side", .string(order.side.rawValue)), ("size", .string(order.size.description)), ("matched", .string(order.matched.description)),
                    ("price", .string(order.price.description))]
        case .missingOrder(let order, let age):
            return [("order_id", .string(order.orderID.description)), ("market", .string(order.market)), ("age_ms", .number(String(age)))]
        case .staleInput(let source, let age, let limit):
            return [("input", .string(source.rawValue)), ("age_ms", .number(String(age))), ("limit_ms", .number(String(limit)))]
        case .dailyLoss(let loss, let limit):
            return [("loss", .string(loss.description)), ("limit", .string(limit.description))]
        }
    }

    private static func position(_ comparison: PositionComparison) -> [(key: String, value: JSONValue)] {
        [("market", .string(comparison.key.market)), ("token", .string(comparison.key.token.description)),
         ("paper_size", .string(comparison.paperSize.description)), ("paper_price", .string(comparison.paperPrice.description)),
         ("actual_size", .string(comparison.actualSize.description)), ("actual_price", .string(comparison.actualPrice.description)),
         ("actual_provisional", .string(comparison.actualProvisional.description)),
         ("size_diff", .string(comparison.sizeDifference.description)), ("notional_diff", .string(comparison.notionalDifference.description)),
         ("price_diff", .string(comparison.priceDifference.description))]
    }
}
