import ArgumentParser
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A point in time on the command line: unix milliseconds (`1764547200000`) or ISO-8601
/// (`2025-12-01T00:00:00Z`, `2025-12-01T01:00:00.250+01:00`, or a date alone, `2025-12-01`,
/// meaning its midnight UTC). Anything else is refused with the forms it takes.
struct TimeArgument: Sendable, Hashable {
    /// Unix milliseconds.
    let millis: Int64

    init(millis: Int64) { self.millis = millis }

    /// For `@Option(transform:)`: a clear error naming the text and the forms accepted.
    static func argument(_ text: String) throws -> TimeArgument {
        guard let millis = parse(text) else {
            throw ValidationError("'\(text)' is not a time: \(forms)")
        }
        return TimeArgument(millis: millis)
    }

    static let forms = "expected unix milliseconds (1764547200000) or ISO-8601 (2025-12-01T00:00:00Z, 2025-12-01T01:00:00.250+01:00, 2025-12-01)"

    static func parse(_ text: String) -> Int64? {
        if !text.isEmpty, text.allSatisfy(\.isASCII), text.allSatisfy(\.isNumber) { return Int64(text) }
        let formatter = ISO8601DateFormatter()
        for options: ISO8601DateFormatter.Options in [[.withInternetDateTime, .withFractionalSeconds], [.withInternetDateTime], [.withFullDate]] {
            formatter.formatOptions = options
            // Whole milliseconds: the Date's binary fraction is rounded back to the digits typed.
            if let date = formatter.date(from: text) { return Int64((date.timeIntervalSince1970 * 1_000).rounded()) }
        }
        return nil
    }

    /// `2025-12-01T00:00:00.250Z` (UTC, always milliseconds), computed with integers.
    static func iso(_ millis: Int64) -> String {
        var seconds = time_t(millis >= 0 ? millis / 1_000 : (millis - 999) / 1_000)
        let fraction = millis - Int64(seconds) * 1_000
        var parts = tm()
        gmtime_r(&seconds, &parts)
        func two(_ value: Int32) -> String { value < 10 ? "0\(value)" : "\(value)" }
        let milli = String(fraction)
        return "\(parts.tm_year + 1900)-\(two(parts.tm_mon + 1))-\(two(parts.tm_mday))T\(two(parts.tm_hour)):\(two(parts.tm_min)):\(two(parts.tm_sec))."
            + String(repeating: "0", count: 3 - milli.count) + milli + "Z"
    }
}
