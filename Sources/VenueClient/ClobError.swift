import Foundation
import PolypipeCore

/// What went wrong talking to the venue, sorted by what it proves (spec §4).
///
/// - Important: only ``rejected(status:message:)`` and its kin prove that the venue did not act on
///   a request. ``unknown(_:)`` means it may have: a timed-out order submit may have placed the
///   order, so callers resolve it by asking the venue (by order ID), never by signing again.
public enum ClobError: Error, Equatable, CustomStringConvertible {
    /// The venue answered with a documented refusal: HTTP 400/404 with an error body, or
    /// `success: false`. Proven not applied.
    case rejected(status: Int, message: String)
    /// HTTP 401: authentication refused (bad signature, stale timestamp, unknown key). Proven
    /// not applied.
    case unauthorized(message: String)
    /// HTTP 429: this attempt was refused; the same bytes may be sent again after `retryAfter`
    /// seconds (from `Retry-After` or the body's `retry_after_seconds`, when given).
    case rateLimited(retryAfterSeconds: Int?, message: String)
    /// HTTP 503 (trading disabled, cancel-only, post-only mode) or 425 (engine restarting): the
    /// request was refused as a whole. Proven not applied.
    case unavailable(status: Int, retryAfterSeconds: Int?, message: String)
    /// The request never left this machine (no connection). Safe to send the same bytes again.
    case notSent(String)
    /// No proof either way: timeout, connection lost mid-request, a 5xx, or an answer that could
    /// not be read.
    case unknown(String)

    /// True when the venue has proven it did not apply the request.
    public var provesNotApplied: Bool {
        switch self {
        case .rejected, .unauthorized, .rateLimited, .unavailable, .notSent: return true
        case .unknown: return false
        }
    }

    public var description: String {
        switch self {
        case .rejected(let status, let message): return "venue rejected the request (HTTP \(status)): \(message)"
        case .unauthorized(let message): return "venue refused authentication (HTTP 401): \(message)"
        case .rateLimited(let retry, let message):
            return "venue rate-limited the request (HTTP 429\(retry.map { ", retry after \($0) s" } ?? "")): \(message)"
        case .unavailable(let status, let retry, let message):
            return "venue is not accepting this request now (HTTP \(status)\(retry.map { ", retry after \($0) s" } ?? "")): \(message)"
        case .notSent(let reason): return "request not sent: \(reason)"
        case .unknown(let reason): return "outcome unknown: \(reason)"
        }
    }

    /// Classifies an HTTP answer that is not a success.
    static func from(_ response: HTTPResponse) -> ClobError {
        let body = try? JSONParser.parse(response.body)
        let message = body?["error"]?.scalarText ?? body?["errorMsg"]?.scalarText ?? body?["error_msg"]?.scalarText
            ?? String(response.bodyText.prefix(300))
        let retryAfter = response.header("retry-after").flatMap { Int($0.trimmingCharacters(in: .whitespaces)) }
            ?? body?["retry_after_seconds"]?.scalarText.flatMap { Int($0) }
        switch response.status {
        case 401: return .unauthorized(message: message)
        case 429: return .rateLimited(retryAfterSeconds: retryAfter, message: message)
        case 425, 503: return .unavailable(status: response.status, retryAfterSeconds: retryAfter, message: message)
        case 400..<500 where body?["error"] != nil || body?["errorMsg"] != nil || body?["error_msg"] != nil:
            return .rejected(status: response.status, message: message)
        case 400..<500:
            // A 4xx without the venue's error body (a proxy, a gateway) proves nothing.
            return .unknown("HTTP \(response.status) without a venue error body: \(message)")
        default:
            return .unknown("HTTP \(response.status): \(message)")
        }
    }

    static func from(_ error: TransportError) -> ClobError {
        error.certainlyNotSent ? .notSent(error.description) : .unknown(error.description)
    }
}
