import PolypipeCore
/// A file of actions to replay, one JSON object per line (JSON Lines).
///
/// Fields mirror the bus `Action`, with prices and sizes as decimal strings:
///
/// ```json
/// {"id":"r-1","market":"0x5f65…","token_id":"7132…","side":"BUY","size":"10","limit_price":"0.57",
///  "expected_price":"0.56","created_at_ms":1780000000000,"ttl_ms":5000,"time_in_force":"GTC",
///  "post_only":false,"strategy":"replay"}
/// ```
///
/// Required: `id`, `market`, `token_id`, `side` (BUY/SELL), `size`, `limit_price` (in (0, 1)),
/// `ttl_ms` (> 0). Optional: `expected_price` (default: the limit price), `created_at_ms` (only
/// sets the pacing: line *n* is sent `created_at_ms(n) − created_at_ms(first)` after the first
/// when pacing is on), `time_in_force` (default GTC), `post_only` (default false), `strategy`
/// (default "replay"). Blank lines and lines starting with `#` are skipped. When sent, an action
/// is stamped with the send time as `created_at_ms`, so its TTL runs from then.
///
/// A bad line is reported with its line number and skipped; the rest of the file still plays.
public struct ReplayFile: Sendable {
    /// One playable line.
    public struct Entry: Sendable, Hashable {
        public let line: Int
        /// Milliseconds after the first entry (0 when the file has no `created_at_ms`).
        public let offsetMillis: Int64
        public let proposal: ActionProposal
    }

    /// A line that could not be read.
    public struct LineError: Error, Sendable, Hashable, CustomStringConvertible {
        public let line: Int
        public let reason: String
        public var description: String { "replay line \(line): \(reason)" }
    }

    public let entries: [Entry]
    public let errors: [LineError]

    /// Parses the whole file text.
    public init(text: String) {
        var entries: [Entry] = []
        var errors: [LineError] = []
        var firstCreated: Int64?
        for (index, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = raw.trimmingCharacters(in: .whitespaces)
            if line.isEmpty || line.hasPrefix("#") { continue }
            do {
                let (proposal, created) = try Self.parse(line)
                if let created, firstCreated == nil { firstCreated = created }
                let offset = created.map { max(0, $0 - (firstCreated ?? $0)) } ?? 0
                entries.append(Entry(line: index + 1, offsetMillis: offset, proposal: proposal))
            } catch {
                errors.append(LineError(line: index + 1, reason: error.description))
            }
        }
        self.entries = entries
        self.errors = errors
    }

    struct FieldError: Error, CustomStringConvertible {
        let description: String
    }

    static func parse(_ line: String) throws(FieldError) -> (ActionProposal, Int64?) {
        let json: JSONValue
        do { json = try JSONParser.parse(line) } catch { throw FieldError(description: "not JSON: \(error)") }
        guard case .object = json else { throw FieldError(description: "is \(json.kindName), expected a JSON object") }
        func text(_ key: String) throws(FieldError) -> String {
            guard let value = json[key] else { throw FieldError(description: "\(key) is missing") }
            guard let text = value.scalarText, !text.isEmpty else { throw FieldError(description: "\(key) is \(value.kindName), expected a non-empty string") }
            return text
        }
        func integer(_ key: String) throws(FieldError) -> Int64? {
            guard let value = json[key], !value.isNull else { return nil }
            guard let text = value.scalarText, let number = Int64(text) else { throw FieldError(description: "\(key) is not an integer") }
            return number
        }
        func price(_ key: String) throws(FieldError) -> Price {
            let raw = try text(key)
            guard let price = try? Price(raw) else { throw FieldError(description: "\(key) \"\(raw)\" is not a decimal price") }
            guard price.micros > 0, price.micros < 1_000_000 else { throw FieldError(description: "\(key) \(raw) is outside (0, 1)") }
            return price
        }
        let id = try text("id")
        let market = try text("market")
        let tokenText = try text("token_id")
        guard let token = try? TokenID(decimal: tokenText) else { throw FieldError(description: "token_id \"\(tokenText)\" is not a decimal token id") }
        let sideText = try text("side")
        guard let side = Side(text: sideText) else { throw FieldError(description: "side \"\(sideText)\" is neither BUY nor SELL") }
        let sizeText = try text("size")
        guard let size = try? Shares(sizeText), size.micros > 0 else { throw FieldError(description: "size \"\(sizeText)\" is not a positive share amount") }
        let limit = try price("limit_price")
        let expected = json["expected_price"] == nil ? limit : try price("expected_price")
        guard let ttl = try integer("ttl_ms") else { throw FieldError(description: "ttl_ms is missing") }
        guard ttl > 0 else { throw FieldError(description: "ttl_ms \(ttl) is not positive") }
        var timeInForce = ActionProposal.TimeInForce.gtc
        if let raw = json["time_in_force"]?.scalarText {
            guard let parsed = ActionProposal.TimeInForce(text: raw), parsed != .gtd else { throw FieldError(description: "time_in_force \"\(raw)\" is not GTC, FOK or FAK") }
            timeInForce = parsed
        }
        var postOnly = false
        if let value = json["post_only"] {
            guard case .bool(let flag) = value else { throw FieldError(description: "post_only is \(value.kindName), expected a boolean") }
            postOnly = flag
        }
        let created = try integer("created_at_ms")
        let strategy = json["strategy"]?.scalarText ?? "replay"
        let proposal = ActionProposal(id: id, market: market, tokenID: token, side: side, size: size, limitPrice: limit,
                                      expectedPrice: expected, createdAtMillis: created ?? 0, ttlMillis: ttl,
                                      timeInForce: timeInForce, strategy: strategy, postOnly: postOnly)
        return (proposal, created)
    }
}
