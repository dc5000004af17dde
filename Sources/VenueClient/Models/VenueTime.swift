import Foundation

/// The venue's timestamps, which come in three shapes (spec §4, §5).
public enum VenueTime {
    /// Unix milliseconds from a venue time: whole seconds (`"1672290701"`), milliseconds
    /// (13 digits or more), or ISO-8601 (`"2024-01-01T00:00:00Z"`, some captures). Nil when
    /// unreadable.
    public static func millis(_ text: String) -> Int64? {
        if !text.isEmpty, text.allSatisfy(\.isASCII), text.allSatisfy(\.isNumber), let value = Int64(text) {
            return value >= 1_000_000_000_000 ? value : value.multipliedReportingOverflow(by: 1000).overflow ? nil : value * 1000
        }
        let plain = Date.ISO8601FormatStyle()
        let fractional = Date.ISO8601FormatStyle(includingFractionalSeconds: true)
        guard let date = (try? plain.parse(text)) ?? (try? fractional.parse(text)) else { return nil }
        return Int64((date.timeIntervalSince1970 * 1000).rounded())
    }
}
