import Logging
import PolypipeCore

/// The key the launcher hands to exec-proc: the operator's (``KeyLoader/load()``: the systemd
/// credential, else `POLYMARKET_KEY`, which is then scrubbed from this process's environment),
/// or, in paper mode only, a fresh random key made for this run.
///
/// - Important: call before anything copies the environment, and before any child starts: the
///   children's environment is built from the scrubbed one, so only the exec-proc spawn
///   (``SecretVariable``) ever carries the key.
enum LauncherKey {
    /// - Throws: ``UpError/key(_:)`` when the key is invalid or unreadable, or absent in a mode
    ///   that needs the operator's own key.
    static func obtain(mode: UpMode, logger: Logger) throws(UpError) -> PrivateKey {
        let loaded: Result<PrivateKey, KeyLoader.Failure>
        do { loaded = .success(try KeyLoader.load()) } catch { loaded = .failure(error) }
        switch loaded {
        case .success(let key):
            logger.info("key loaded", metadata: ["signer.address": "\(key.address)"])
            return key
        case .failure(.noKey):
            guard mode == .paper else {
                throw .key("\(mode.rawValue) needs your key: set POLYMARKET_KEY or $CREDENTIALS_DIRECTORY/\(KeyLoader.credentialName) (a random key is made for paper mode only)")
            }
            let key = try generatePaperKey()
            logger.info("no key given; generated a random paper key for this run", metadata: ["signer.address": "\(key.address)"])
            return key
        case .failure(let failure):
            throw .key(failure.description)
        }
    }

    /// 32 bytes from the system's cryptographically secure generator (`getrandom(2)` on
    /// Linux, through `SystemRandomNumberGenerator`); drawn again in the 2^-128 case of a value
    /// that is not a valid secp256k1 secret.
    static func generatePaperKey() throws(UpError) -> PrivateKey {
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<4 {
            var bytes = (0..<4).flatMap { _ in withUnsafeBytes(of: generator.next() as UInt64) { Array($0) } }
            defer { PrivateKey.zero(&bytes) }
            if let key = try? PrivateKey(bytes: bytes) { return key }
        }
        throw .key("could not generate a valid paper key")
    }
}
