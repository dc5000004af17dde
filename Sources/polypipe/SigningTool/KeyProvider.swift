import PolypipeCore

/// Where a signing request's key comes from: the request's `private_key` field (test vectors,
/// throwaway keys), else `POLYMARKET_KEY`, read once at startup and then scrubbed from the
/// environment block. Never from argv.
final class KeyProvider: Sendable {
    private let environmentKey: Result<PrivateKey, SigningError>?

    /// Takes `POLYMARKET_KEY` out of the environment now (if set).
    init() {
        if let text = EnvironmentSecret.take("POLYMARKET_KEY") {
            do { environmentKey = .success(try PrivateKey(hex: text)) } catch { environmentKey = .failure(error) }
        } else {
            environmentKey = nil
        }
    }

    func key(for fields: RequestFields) throws(RequestError) -> PrivateKey {
        if let text = try fields.string("private_key") {
            do { return try PrivateKey(hex: text) } catch { throw .field("private_key", error.description) }
        }
        switch environmentKey {
        case .success(let key): return key
        case .failure(let error): throw .field("POLYMARKET_KEY", error.description)
        case nil: throw RequestError("private_key: absent from the request and POLYMARKET_KEY is not set")
        }
    }
}
