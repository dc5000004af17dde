/// One change to the journal: what ``Journal``'s write methods append to its log, and what the
/// indexer later applies to SQLite, in the same order.
///
/// Each case is exactly one write transaction of the SQLite-only journal it replaces (an order
/// and its audit line, an update and its audit line, …), so applying the log reproduces the
/// same rows. Encoded as a tag byte and then its fields: integers little-endian, strings and
/// bytes as a 4-byte length and their bytes, optionals with a 0/1 presence byte. Tags are
/// never reused: a new kind of change gets a new tag.
enum JournalChange: Sendable, Equatable {
    /// An audit line, written with a change or alone.
    struct Note: Sendable, Equatable {
        var actionID: String?
        var decision: String
        var detail: String
    }

    /// A new signed order (state `signed`), with its audit line when there is one.
    case record(actionID: String, orderHash: String, market: String, body: [UInt8], nowMillis: Int64,
                expiresAtMillis: Int64?, note: Note?)
    /// A rejected order of `actionID` replaced by a newly signed one.
    case resign(actionID: String, orderHash: String, body: [UInt8], nowMillis: Int64)
    /// An order moved to `state`, with an audit line when there is one.
    case update(orderHash: String, state: Journal.State, reason: String?, nowMillis: Int64, note: Note?)
    /// An audit line alone.
    case audit(Note, nowMillis: Int64)
    /// The persisted trading state.
    case tradingState(String)
    /// Another persisted setting of the executor (e.g. the daily P&L baseline), by key.
    case setting(key: String, value: String)

    /// The action whose order this change creates or modifies, when it is known from the change
    /// itself (an update names the order by hash only).
    var actionID: String? {
        switch self {
        case .record(let actionID, _, _, _, _, _, _), .resign(let actionID, _, _, _): actionID
        case .update, .audit, .tradingState, .setting: nil
        }
    }

    private enum Tag: UInt8 { case record = 1, resign = 2, update = 3, audit = 4, tradingState = 5, setting = 6 }

    /// Appends this change's encoding to `bytes`.
    func encode(into bytes: inout [UInt8]) {
        // Move the buffer into the writer (and back at the end) so appending never copies it.
        var writer = Writer(bytes: bytes)
        bytes = []
        switch self {
        case .record(let actionID, let orderHash, let market, let body, let nowMillis, let expiresAtMillis, let note):
            writer.byte(Tag.record.rawValue)
            writer.string(actionID); writer.string(orderHash); writer.string(market); writer.blob(body)
            writer.integer(nowMillis); writer.optionalInteger(expiresAtMillis); writer.note(note)
        case .resign(let actionID, let orderHash, let body, let nowMillis):
            writer.byte(Tag.resign.rawValue)
            writer.string(actionID); writer.string(orderHash); writer.blob(body); writer.integer(nowMillis)
        case .update(let orderHash, let state, let reason, let nowMillis, let note):
            writer.byte(Tag.update.rawValue)
            writer.string(orderHash); writer.string(state.rawValue); writer.optionalString(reason); writer.integer(nowMillis); writer.note(note)
        case .audit(let note, let nowMillis):
            writer.byte(Tag.audit.rawValue)
            writer.note(note); writer.integer(nowMillis)
        case .tradingState(let value):
            writer.byte(Tag.tradingState.rawValue)
            writer.string(value)
        case .setting(let key, let value):
            writer.byte(Tag.setting.rawValue)
            writer.string(key); writer.string(value)
        }
        bytes = writer.bytes
    }

    /// Decodes one change; nil when the bytes are not one whole change (the frame's checksum
    /// held, so this means a log written by a newer polypipe or a bug, never a torn write).
    static func decode(_ bytes: ArraySlice<UInt8>) -> JournalChange? {
        var reader = Reader(bytes: bytes)
        guard let tag = reader.byte().flatMap(Tag.init(rawValue:)) else { return nil }
        let change: JournalChange?
        switch tag {
        case .record:
            guard let actionID = reader.string(), let orderHash = reader.string(), let market = reader.string(),
                  let body = reader.blob(), let nowMillis = reader.integer(), let expires = reader.optionalInteger(),
                  let note = reader.note() else { return nil }
            change = .record(actionID: actionID, orderHash: orderHash, market: market, body: body, nowMillis: nowMillis,
                             expiresAtMillis: expires, note: note)
        case .resign:
            guard let actionID = reader.string(), let orderHash = reader.string(), let body = reader.blob(),
                  let nowMillis = reader.integer() else { return nil }
            change = .resign(actionID: actionID, orderHash: orderHash, body: body, nowMillis: nowMillis)
        case .update:
            guard let orderHash = reader.string(), let state = reader.string().flatMap(Journal.State.init(rawValue:)),
                  let reason = reader.optionalString(), let nowMillis = reader.integer(), let note = reader.note() else { return nil }
            change = .update(orderHash: orderHash, state: state, reason: reason, nowMillis: nowMillis, note: note)
        case .audit:
            guard let present = reader.note(), let note = present, let nowMillis = reader.integer() else { return nil }
            change = .audit(note, nowMillis: nowMillis)
        case .tradingState:
            guard let value = reader.string() else { return nil }
            change = .tradingState(value)
        case .setting:
            guard let key = reader.string(), let value = reader.string() else { return nil }
            change = .setting(key: key, value: value)
        }
        return reader.atEnd ? change : nil
    }

    private struct Writer {
        var bytes: [UInt8]
        mutating func byte(_ value: UInt8) { bytes.append(value) }
        mutating func integer(_ value: Int64) { withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) } }
        mutating func length(_ value: Int) { withUnsafeBytes(of: UInt32(value).littleEndian) { bytes.append(contentsOf: $0) } }
        mutating func blob(_ value: [UInt8]) { length(value.count); bytes.append(contentsOf: value) }
        mutating func string(_ value: String) {
            var value = value
            value.withUTF8 { utf8 in length(utf8.count); bytes.append(contentsOf: utf8) }
        }
        mutating func optionalString(_ value: String?) {
            byte(value == nil ? 0 : 1)
            if let value { string(value) }
        }
        mutating func optionalInteger(_ value: Int64?) {
            byte(value == nil ? 0 : 1)
            if let value { integer(value) }
        }
        mutating func note(_ value: Note?) {
            byte(value == nil ? 0 : 1)
            if let value { optionalString(value.actionID); string(value.decision); string(value.detail) }
        }
    }

    /// Reads fields back; every read returns nil past the end (a malformed change).
    private struct Reader {
        let bytes: ArraySlice<UInt8>
        var position: Int
        init(bytes: ArraySlice<UInt8>) { self.bytes = bytes; position = bytes.startIndex }
        var atEnd: Bool { position == bytes.endIndex }

        mutating func take(_ count: Int) -> ArraySlice<UInt8>? {
            guard count >= 0, bytes.endIndex - position >= count else { return nil }
            defer { position += count }
            return bytes[position..<position + count]
        }
        mutating func byte() -> UInt8? { take(1)?.first }
        mutating func integer() -> Int64? {
            guard let raw = take(8) else { return nil }
            return raw.reversed().reduce(Int64(0)) { $0 << 8 | Int64($1) }
        }
        mutating func length() -> Int? {
            guard let raw = take(4) else { return nil }
            return Int(raw.reversed().reduce(UInt32(0)) { $0 << 8 | UInt32($1) })
        }
        mutating func blob() -> [UInt8]? { length().flatMap { take($0) }.map(Array.init) }
        mutating func string() -> String? {
            guard let raw = length().flatMap({ take($0) }) else { return nil }
            return String(validating: raw, as: UTF8.self)
        }
        /// `.some(nil)` for an absent value, nil for a malformed one.
        mutating func optionalString() -> String?? {
            switch byte() {
            case 0: return .some(nil)
            case 1: return string().map { .some($0) }
            default: return nil
            }
        }
        mutating func optionalInteger() -> Int64?? {
            switch byte() {
            case 0: return .some(nil)
            case 1: return integer().map { .some($0) }
            default: return nil
            }
        }
        mutating func note() -> Note?? {
            switch byte() {
            case 0: return .some(nil)
            case 1:
                guard let actionID = optionalString(), let decision = string(), let detail = string() else { return nil }
                return .some(Note(actionID: actionID, decision: decision, detail: detail))
            default: return nil
            }
        }
    }
}
