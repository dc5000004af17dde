/// A parsed JSON document that keeps what `JSONSerialization` loses: the exact text of every
/// number (a salt of 2^64 or a 78-digit token id stays exact) and the order of object keys.
public enum JSONValue: Sendable, Hashable {
    case null
    case bool(Bool)
    /// The number's literal text, e.g. `"18446744073709551616"` or `"1e-05"`.
    case number(String)
    case string(String)
    case array([JSONValue])
    /// Members in document order; a repeated key keeps every occurrence (lookups take the last,
    /// as Python's `json` does).
    case object([(key: String, value: JSONValue)])

    public static func == (lhs: JSONValue, rhs: JSONValue) -> Bool {
        switch (lhs, rhs) {
        case (.null, .null): return true
        case (.bool(let a), .bool(let b)): return a == b
        case (.number(let a), .number(let b)): return a == b
        case (.string(let a), .string(let b)): return a == b
        case (.array(let a), .array(let b)): return a == b
        case (.object(let a), .object(let b)):
            return a.count == b.count && zip(a, b).allSatisfy { $0.key == $1.key && $0.value == $1.value }
        default: return false
        }
    }

    public func hash(into hasher: inout Hasher) {
        switch self {
        case .null: hasher.combine(0)
        case .bool(let value): hasher.combine(value)
        case .number(let text): hasher.combine(text)
        case .string(let text): hasher.combine(text)
        case .array(let values): hasher.combine(values)
        case .object(let members):
            for member in members { hasher.combine(member.key); hasher.combine(member.value) }
        }
    }

    /// The member named `key` of an object (the last one if repeated), else `nil`.
    public subscript(key: String) -> JSONValue? {
        guard case .object(let members) = self else { return nil }
        return members.last(where: { $0.key == key })?.value
    }

    public var isNull: Bool { if case .null = self { return true }; return false }

    /// The text of a string, or the literal of a number.
    public var scalarText: String? {
        switch self {
        case .string(let text), .number(let text): return text
        default: return nil
        }
    }

    /// A short name of the value's kind, for error messages.
    public var kindName: String {
        switch self {
        case .null: return "null"
        case .bool: return "a boolean"
        case .number: return "a number"
        case .string: return "a string"
        case .array: return "an array"
        case .object: return "an object"
        }
    }
}
