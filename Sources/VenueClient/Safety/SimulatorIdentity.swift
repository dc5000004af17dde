import PolypipeCore
/// How a simulator proves it is one: `GET /sim/identity?challenge=<hex>` answered with
///
/// ```json
/// {"simulator": "clob-sim", "challenge": "<the same hex>"}
/// ```
///
/// clob-sim serves it; Polymarket's venue does not (404), so a paper-mode process that gets this
/// answer knows it is not talking to the real venue. The challenge is fresh for every proof, so a
/// cached or canned page cannot pass. The proof is per TCP connection: ``CurlTransport`` with
/// ``CurlTransport/ConnectionPolicy/provenSimulatorOnly`` proves every new connection before
/// any other request goes over it.
public enum SimulatorIdentity {
    public static let path = "/sim/identity"
    /// The value of `"simulator"` in the answer.
    public static let simulatorName = "clob-sim"

    /// A fresh random challenge: 16 bytes as 32 lower-case hex digits.
    public static func newChallenge() -> String {
        var generator = SystemRandomNumberGenerator()
        return (0..<16).map { _ in
            let byte = UInt8.random(in: 0...255, using: &generator)
            return String(byte, radix: 16).leftPadded(to: 2)
        }.joined()
    }

    /// The request that asks for the proof (public: no credential, no signature).
    public static func request(challenge: String) -> HTTPRequest {
        HTTPRequest(method: "GET", target: "\(path)?challenge=\(challenge)")
    }

    /// The simulator's answer to `challenge` (clob-sim's side).
    public static func answer(challenge: String) -> JSONValue {
        .object([("simulator", .string(simulatorName)), ("challenge", .string(challenge))])
    }

    /// Why an answer is not a proof, or nil when it is one.
    public static func refusal(of response: HTTPResponse, challenge: String) -> String? {
        guard response.status == 200 else {
            return "GET \(path) answered HTTP \(response.status), not a simulator's identity"
        }
        guard let json = try? JSONParser.parse(response.body) else { return "GET \(path) answered something that is not JSON" }
        guard json["simulator"]?.scalarText == simulatorName else {
            return "GET \(path) did not name the simulator (\"simulator\": \"\(simulatorName)\")"
        }
        guard json["challenge"]?.scalarText == challenge else { return "GET \(path) did not echo the challenge" }
        return nil
    }
}

extension String {
    fileprivate func leftPadded(to width: Int) -> String {
        count >= width ? self : String(repeating: "0", count: width - count) + self
    }
}
