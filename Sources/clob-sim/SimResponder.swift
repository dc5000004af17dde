import Hummingbird

/// The HTTP face of the ``Venue``: turns each Hummingbird request into a ``SimRequest`` and the
/// venue's answer into a JSON response. Every path goes through the venue's own dispatch, so
/// an unknown path or bad input is a venue-shaped error, never a crash.
struct SimResponder: HTTPResponder {
    typealias Context = BasicRequestContext
    let venue: Venue
    /// Largest body accepted (a batch of 15 POLY_1271 orders is ~25 KB).
    static let maxBody = 1 << 20

    func respond(to request: Request, context: BasicRequestContext) async throws -> Response {
        var request = request
        let body: ByteBuffer
        do {
            body = try await request.collectBody(upTo: Self.maxBody)
        } catch {
            return Self.response(.error(.badRequest("request body too large")))
        }
        var headers: [String: String] = [:]
        for field in request.headers { headers[field.name.canonicalName] = field.value }
        let simRequest = SimRequest(method: request.method.rawValue, target: request.uri.description, headers: headers,
                                    body: Array(buffer: body))
        let faults = await venue.decideFaults(for: simRequest)
        if faults.delayBeforeMillis > 0 { try? await Task.sleep(for: .milliseconds(faults.delayBeforeMillis)) }
        if let shortCircuit = faults.shortCircuit { return Self.response(shortCircuit) }
        let answer = await venue.handle(simRequest)
        if faults.delayAfterMillis > 0 { try? await Task.sleep(for: .milliseconds(faults.delayAfterMillis)) }
        return Self.response(answer)
    }

    static func response(_ answer: SimResponse) -> Response {
        var fields = HTTPFields()
        fields[.contentType] = "application/json"
        // Retry-After and the Poly-RateLimit-* headers (names are lower-case in SimResponse).
        for (name, value) in answer.headers {
            if let field = HTTPFields.Element.Name(name) { fields[field] = value }
        }
        return Response(status: .init(code: answer.status), headers: fields,
                        body: .init(byteBuffer: ByteBuffer(string: answer.body)))
    }
}
