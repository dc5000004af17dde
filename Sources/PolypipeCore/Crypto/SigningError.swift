/// Everything that can go wrong while turning a key and a message into a signature.
///
/// - Important: no case ever carries key material; descriptions name what was wrong, never the
///   bytes.
public enum SigningError: Error, Equatable, CustomStringConvertible {
    /// The private key text or bytes are not a valid secp256k1 secret.
    case invalidPrivateKey(reason: String)
    /// A digest that is not 32 bytes.
    case invalidDigestLength(Int)
    /// A signature that is not 65 bytes `r ‖ s ‖ v` with v = 27/28, or does not recover.
    case invalidSignature(reason: String)
    /// libsecp256k1 refused a call it should not refuse.
    case library(function: String)

    public var description: String {
        switch self {
        case .invalidPrivateKey(let reason): return "invalid private key: \(reason)"
        case .invalidDigestLength(let count): return "a digest must be 32 bytes, got \(count)"
        case .invalidSignature(let reason): return "invalid signature: \(reason)"
        case .library(let function): return "libsecp256k1: \(function) failed"
        }
    }
}
