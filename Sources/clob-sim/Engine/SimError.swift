
/// A venue refusal with the HTTP status and message the real CLOB uses (spec §2.4, §4.1).
struct SimError: Error, Equatable, CustomStringConvertible {
    let status: Int
    let message: String

    var description: String { "HTTP \(status): \(message)" }

    static func badRequest(_ message: String) -> SimError { SimError(status: 400, message: message) }
    static func unauthorized(_ message: String = "Unauthorized/Invalid api key") -> SimError { SimError(status: 401, message: message) }
    static func notFound(_ message: String) -> SimError { SimError(status: 404, message: message) }

    static let notEnoughBalance = badRequest("not enough balance / allowance")
    static let postOnlyCrosses = badRequest("invalid post-only order: order crosses book")
    static let postOnlyType = badRequest("invalid post-only order: only GTC and GTD order types are allowed")
    static let fokNotFilled = badRequest("order couldn't be fully filled. FOK orders are fully filled or killed.")
    static let fakNoMatch = badRequest("no orders found to match with FAK order. FAK orders are partially filled or killed if no match is found.")
    static let invalidExpiration = badRequest("invalid expiration")
    static let duplicated = badRequest("order is invalid. Duplicated.")
    static let marketNotReady = badRequest("the market is not yet ready to process new orders")
}
