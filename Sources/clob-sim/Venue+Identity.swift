import VenueClient

extension Venue {
    /// `GET /sim/identity?challenge=<hex>`: proves to a paper-mode client that this venue is a
    /// simulator (``SimulatorIdentity``). The real venue has no such route.
    func simulatorIdentity(_ request: SimRequest) throws(SimError) -> SimResponse {
        guard let challenge = request.query["challenge"], (8...128).contains(challenge.count),
              challenge.allSatisfy({ $0.isHexDigit }) else {
            throw .badRequest("challenge must be 8 to 128 hex digits")
        }
        return .json(SimulatorIdentity.answer(challenge: challenge))
    }
}
