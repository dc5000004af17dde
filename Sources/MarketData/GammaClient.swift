import PolypipeCore
import VenueClient
/// Market discovery on Gamma (spec §6.2): `GET /events?slug=<window slug>`.
///
/// Blocking (it waits for the HTTP answer): call it from a dedicated thread. Thread safety: a
/// value type over a thread-safe transport.
public struct GammaClient: Sendable {
    public let transport: any HTTPTransport

    /// - Parameter transport: a transport whose base URL is the Gamma API (clob-sim serves the
    ///   same path on its own port).
    public init(transport: any HTTPTransport) { self.transport = transport }

    /// The market of `window`.
    /// - Throws: ``MarketDataError/request(what:reason:)`` when the request fails or is not
    ///   200 (a window not listed yet answers an empty array, reported as a missing event);
    ///   ``MarketDataError/badField(context:field:reason:)`` from parsing.
    public func upDownMarket(_ window: UpDownWindow) throws(MarketDataError) -> UpDownMarket {
        let response: HTTPResponse
        do {
            response = try transport.send(HTTPRequest(method: "GET", target: "/events?slug=\(window.slug)"))
        } catch {
            throw .request(what: "gamma event \(window.slug)", reason: error.description)
        }
        guard response.status == 200 else {
            throw .request(what: "gamma event \(window.slug)", reason: "HTTP \(response.status): \(response.bodyText.prefix(200))")
        }
        let json: JSONValue
        do { json = try JSONParser.parse(response.bodyText) } catch {
            throw .request(what: "gamma event \(window.slug)", reason: "the answer is not JSON: \(error)")
        }
        return try UpDownMarket(gammaEvents: json, window: window)
    }
}
