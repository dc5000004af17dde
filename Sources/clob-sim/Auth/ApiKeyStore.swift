import Foundation
import PolypipeCore
import VenueClient

/// API keys, deterministic per (address, nonce) as on the venue (spec §3.1), and the L1/L2
/// checks every request goes through.
struct ApiKeyStore {
    struct Key: Sendable {
        let credentials: ApiCredentials
        let address: EthereumAddress
        let signer: L2Signer
        /// A read-only key may read (GET) but not trade or cancel.
        var readOnly = false
    }

    private(set) var keys: [String: Key] = [:]
    private var created: Set<String> = []
    let seed: UInt64
    let chain: Chain
    /// How far a request's POLY_TIMESTAMP may be from the simulator's clock.
    let timestampWindowSeconds: Int64 = 300

    init(seed: UInt64, chain: Chain) {
        self.seed = seed
        self.chain = chain
    }

    /// The credential for (address, nonce): the same every time, as on the venue.
    func credentials(for address: EthereumAddress, nonce: String) -> ApiCredentials {
        let material = Keccak256.hash(utf8: "clob-sim:\(seed):\(address.lowercased):\(nonce)")
        let hex = Hex.encode(material, prefix: false)
        let chars = Array(hex)
        let uuid = String(chars[0..<8]) + "-" + String(chars[8..<12]) + "-4" + String(chars[13..<16]) + "-a" + String(chars[17..<20]) + "-" + String(chars[20..<32])
        let secret = Data(Keccak256.hash(material + [1])).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
        let passphrase = Hex.encode(Keccak256.hash(material + [2]), prefix: false)
        return ApiCredentials(apiKey: uuid, secret: secret, passphrase: passphrase)
    }

    /// `POST /auth/api-key`: 400 if this (address, nonce) already has a key.
    mutating func create(address: EthereumAddress, nonce: String) throws(SimError) -> ApiCredentials {
        let creds = credentials(for: address, nonce: nonce)
        guard !created.contains(creds.apiKey) else { throw .badRequest("Could not create api key") }
        try register(creds, address: address)
        return creds
    }

    /// `GET /auth/derive-api-key`: 400 unless the key was created.
    func derive(address: EthereumAddress, nonce: String) throws(SimError) -> ApiCredentials {
        let creds = credentials(for: address, nonce: nonce)
        guard created.contains(creds.apiKey) else { throw .badRequest("Could not derive api key!") }
        return creds
    }

    mutating func register(_ creds: ApiCredentials, address: EthereumAddress, readOnly: Bool = false) throws(SimError) {
        guard let signer = try? L2Signer(credentials: creds, address: address) else { throw .badRequest("invalid api secret") }
        keys[creds.apiKey] = Key(credentials: creds, address: address, signer: signer, readOnly: readOnly)
        created.insert(creds.apiKey)
    }

    /// `POST /auth/readonly-api-key`: a new read-only key for the calling key's address.
    mutating func createReadOnly(for key: Key) throws(SimError) -> ApiCredentials {
        let count = keys.values.filter { $0.address == key.address && $0.readOnly }.count
        let creds = credentials(for: key.address, nonce: "readonly-\(count)")
        try register(creds, address: key.address, readOnly: true)
        return creds
    }

    /// The trading keys whose orders and trades `key` may read: itself, or for a read-only key
    /// every trading key of its address (a read-only key reads its account, it owns nothing).
    func ownerKeys(of key: Key) -> Set<String> {
        guard key.readOnly else { return [key.credentials.apiKey] }
        return Set(keys.values.filter { $0.address == key.address && !$0.readOnly }.map(\.credentials.apiKey))
    }

    func readOnlyKeys(of address: EthereumAddress) -> [String] {
        keys.values.filter { $0.address == address && $0.readOnly }.map(\.credentials.apiKey).sorted()
    }

    mutating func deleteReadOnly(_ apiKey: String, of address: EthereumAddress) -> Bool {
        guard let key = keys[apiKey], key.readOnly, key.address == address else { return false }
        keys[apiKey] = nil
        return true
    }

    /// Checks L1 headers: a ClobAuth signature by POLY_ADDRESS over POLY_TIMESTAMP and POLY_NONCE.
    func verifyL1(_ request: SimRequest, nowSeconds: Int64) throws(SimError) -> (address: EthereumAddress, nonce: String) {
        guard let addressText = request.header("poly_address"), let signatureText = request.header("poly_signature"),
              let timestamp = request.header("poly_timestamp") else { throw .unauthorized("Invalid L1 Request headers") }
        let nonce = request.header("poly_nonce") ?? "0"
        guard let address = try? EthereumAddress(addressText), let nonceValue = try? UInt256(decimal: nonce),
              let seconds = Int64(timestamp), abs(seconds - nowSeconds) <= timestampWindowSeconds,
              let signatureBytes = try? Hex.decode(signatureText), let signature = try? RecoverableSignature(bytes: signatureBytes) else {
            throw .unauthorized("Invalid L1 Request headers")
        }
        let message = ClobAuth(address: address, timestamp: timestamp, nonce: nonceValue)
        let digest = EIP712.digest(domainSeparator: ClobAuth.domain(chainID: chain.rawValue).separator, structHash: message.structHash)
        guard let recovered = try? Secp256k1.recoverAddress(signature: signature, digest: digest), recovered == address else {
            throw .unauthorized("Invalid L1 Request headers")
        }
        return (address, nonce)
    }

    /// Checks L2 headers: a known key, its passphrase and address, a fresh timestamp, and the
    /// HMAC over timestamp + method + path (no query) + body.
    func verifyL2(_ request: SimRequest, nowSeconds: Int64) throws(SimError) -> Key {
        guard let apiKey = request.header("poly_api_key"), let key = keys[apiKey] else { throw .unauthorized() }
        guard request.header("poly_passphrase") == key.credentials.passphrase else { throw .unauthorized() }
        guard let addressText = request.header("poly_address"), let address = try? EthereumAddress(addressText.lowercased()),
              address == key.address else { throw .unauthorized() }
        guard let timestamp = request.header("poly_timestamp"), let seconds = Int64(timestamp),
              abs(seconds - nowSeconds) <= timestampWindowSeconds else { throw .unauthorized("Unauthorized/Invalid api key: stale timestamp") }
        let body = request.body.isEmpty ? nil : String(decoding: request.body, as: UTF8.self)
        let expected = key.signer.signature(message: L2Signer.message(timestamp: timestamp, method: request.method, path: request.path, body: body))
        guard request.header("poly_signature") == expected else { throw .unauthorized() }
        return key
    }
}
