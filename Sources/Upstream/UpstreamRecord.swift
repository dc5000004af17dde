import PolypipeCore

/// One thing an upstream venue said, and when we received it: a line of a recording, and
/// what a mirror consumes, live or replayed.
///
/// On disk, one JSON object per line, the upstream's own payload kept as it came:
///
/// ```
/// {"t":1796661600123,"kind":"market","key":"","data":{"event_type":"price_change",…}}
/// ```
///
/// Times are this host's receive times (unix ms), never the payload's: a replay schedules
/// each record at its `t`, relative to the first.
public struct UpstreamRecord: Sendable, Hashable {
    public enum Kind: String, Sendable, Hashable, CaseIterable {
        /// A market-channel WebSocket frame as received (`book`, `price_change`,
        /// `last_trade_price`, `tick_size_change`, …; an array of them, sometimes).
        case market
        /// A reference-price frame (RTDS `crypto_prices`).
        case price
        /// A REST `/book` answer for one token (`key`: the token id), taken whenever the market
        /// channel (re)connects.
        case book
        /// The Gamma event list of one window (`key`: its slug), when it was discovered and
        /// when it changed (the price to beat arrives late; resolution ends it).
        case window
        /// The CLOB's terms for one market, `GET /clob-markets/{id}` (`key`: the condition id):
        /// its fee curve and taker-delay flag, read when its window is discovered.
        case terms
        /// The CLOB's market once its window closed, `GET /markets/{id}` (`key`: the condition
        /// id): `closed` and the winning token.
        case resolution
        /// The upstream's clock, `GET /time` (`data`: unix seconds).
        case clock
        /// A feed (re)connected or dropped (`key`: `market` or `price`; `data`: the event text).
        case feed
    }

    /// When this host received it (unix ms).
    public var receivedAtMillis: Int64
    public var kind: Kind
    /// What it is about, per ``Kind`` (empty when nothing).
    public var key: String
    public var data: JSONValue

    public init(receivedAtMillis: Int64, kind: Kind, key: String = "", data: JSONValue) {
        self.receivedAtMillis = receivedAtMillis
        self.kind = kind
        self.key = key
        self.data = data
    }

    /// The record as one line of JSON (no newline).
    public var line: String {
        JSONWriter.serialize(.object([
            ("t", .number(String(receivedAtMillis))), ("kind", .string(kind.rawValue)), ("key", .string(key)), ("data", data),
        ]))
    }

    /// Why a line is not a record.
    public struct Malformed: Error, CustomStringConvertible, Equatable {
        public let reason: String
        public var description: String { reason }
    }

    /// Reads one line. - Throws: ``Malformed`` naming what is wrong.
    public init(line: String) throws(Malformed) {
        let json: JSONValue
        do { json = try JSONParser.parse(line) } catch { throw Malformed(reason: "not JSON: \(error)") }
        guard case .object = json else { throw Malformed(reason: "not a JSON object") }
        guard let time = json["t"]?.scalarText.flatMap({ Int64($0) }) else { throw Malformed(reason: "no receive time \"t\" (unix ms)") }
        guard let kindText = json["kind"]?.scalarText else { throw Malformed(reason: "no \"kind\"") }
        guard let kind = Kind(rawValue: kindText) else {
            throw Malformed(reason: "unknown kind '\(kindText)' (expected one of \(Kind.allCases.map(\.rawValue).joined(separator: ", ")))")
        }
        guard let data = json["data"] else { throw Malformed(reason: "no \"data\"") }
        self.init(receivedAtMillis: time, kind: kind, key: json["key"]?.scalarText ?? "", data: data)
    }
}
