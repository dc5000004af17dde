import PolypipeCore

/// A request as the venue logic sees it, independent of the HTTP server (tests build these
/// directly).
struct SimRequest: Sendable {
    let method: String
    /// Path without the query string (what L2 HMACs).
    let path: String
    let query: [String: String]
    /// Header names lower-cased.
    let headers: [String: String]
    let body: [UInt8]

    init(method: String, target: String, headers: [String: String] = [:], body: [UInt8] = []) {
        self.method = method.uppercased()
        let parts = target.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false)
        self.path = String(parts.first ?? "")
        var query: [String: String] = [:]
        if parts.count > 1 {
            for pair in parts[1].split(separator: "&") {
                let kv = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
                let key = SimRequest.percentDecode(String(kv[0]))
                query[key] = kv.count > 1 ? SimRequest.percentDecode(String(kv[1])) : ""
            }
        }
        self.query = query
        var lowered: [String: String] = [:]
        for (name, value) in headers { lowered[name.lowercased()] = value }
        self.headers = lowered
        self.body = body
    }

    func header(_ name: String) -> String? { headers[name.lowercased()] }

    static func percentDecode(_ text: String) -> String {
        var bytes: [UInt8] = []
        var iterator = Array(text.utf8).makeIterator()
        while let byte = iterator.next() {
            if byte == UInt8(ascii: "%"), let high = iterator.next(), let low = iterator.next(),
               let value = UInt8(String(decoding: [high, low], as: UTF8.self), radix: 16) {
                bytes.append(value)
            } else {
                bytes.append(byte == UInt8(ascii: "+") ? UInt8(ascii: " ") : byte)
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}

/// The venue's answer: a status and a JSON body.
struct SimResponse: Sendable, Equatable {
    let status: Int
    let body: String
    var headers: [String: String] = [:]

    static func json(_ value: JSONValue, status: Int = 200) -> SimResponse {
        SimResponse(status: status, body: JSONWriter.serialize(value))
    }

    static func error(_ error: SimError) -> SimResponse {
        json(.object([("error", .string(error.message))]), status: error.status)
    }
}
