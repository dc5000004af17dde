import CSecp256k1

/// secp256k1 ECDSA through libsecp256k1: RFC 6979 deterministic nonces, low-s, recoverable
/// signatures. This is the only file that imports `CSecp256k1`.
///
/// Signatures are byte-identical to eth-account / coincurve (checked against every vector).
public enum Secp256k1 {
    /// Signs a 32-byte digest (already hashed: an EIP-712 digest) with `key`.
    /// - Returns: `r ‖ s ‖ v` with `v = 27 + recovery id`.
    /// - Throws: ``SigningError``.
    public static func sign(digest: [UInt8], with key: PrivateKey) throws(SigningError) -> RecoverableSignature {
        guard digest.count == 32 else { throw .invalidDigestLength(digest.count) }
        let context = Context.shared.pointer
        var signature = secp256k1_ecdsa_recoverable_signature()
        let signed = key.withUnsafeSecret { secret in
            digest.withUnsafeBufferPointer { message in
                secp256k1_ecdsa_sign_recoverable(context, &signature, message.baseAddress!,
                                                 secret.bindMemory(to: UInt8.self).baseAddress!, nil, nil)
            }
        }
        guard signed == 1 else { throw .library(function: "secp256k1_ecdsa_sign_recoverable") }
        var compact = [UInt8](repeating: 0, count: 64)
        var recoveryID: Int32 = 0
        guard secp256k1_ecdsa_recoverable_signature_serialize_compact(context, &compact, &recoveryID, &signature) == 1 else {
            throw .library(function: "secp256k1_ecdsa_recoverable_signature_serialize_compact")
        }
        return RecoverableSignature(compact: compact, recoveryID: recoveryID)
    }

    /// The public key (`x ‖ y`, 64 bytes) that produced `signature` over `digest`.
    /// - Throws: ``SigningError/invalidSignature(reason:)`` when it does not recover.
    public static func recoverPublicKey(signature: RecoverableSignature, digest: [UInt8]) throws(SigningError) -> [UInt8] {
        guard digest.count == 32 else { throw .invalidDigestLength(digest.count) }
        let context = Context.shared.pointer
        var parsed = secp256k1_ecdsa_recoverable_signature()
        let compact = Array(signature.bytes[0..<64])
        guard secp256k1_ecdsa_recoverable_signature_parse_compact(context, &parsed, compact, Int32(signature.v) - 27) == 1 else {
            throw .invalidSignature(reason: "r or s out of range")
        }
        var publicKey = secp256k1_pubkey()
        guard secp256k1_ecdsa_recover(context, &publicKey, &parsed, digest) == 1 else {
            throw .invalidSignature(reason: "does not recover to a public key")
        }
        return serialize(publicKey, context: context)
    }

    /// The address that signed `digest`, as a venue verifies an order or an L1 header.
    public static func recoverAddress(signature: RecoverableSignature, digest: [UInt8]) throws(SigningError) -> EthereumAddress {
        EthereumAddress(publicKey: try recoverPublicKey(signature: signature, digest: digest))
    }

    static func isValidSecret(_ secret: UnsafeRawBufferPointer) -> Bool {
        secp256k1_ec_seckey_verify(Context.shared.pointer, secret.bindMemory(to: UInt8.self).baseAddress!) == 1
    }

    static func publicKey(secret: UnsafeRawBufferPointer) -> [UInt8]? {
        let context = Context.shared.pointer
        var publicKey = secp256k1_pubkey()
        guard secp256k1_ec_pubkey_create(context, &publicKey, secret.bindMemory(to: UInt8.self).baseAddress!) == 1 else { return nil }
        return serialize(publicKey, context: context)
    }

    private static func serialize(_ key: secp256k1_pubkey, context: OpaquePointer) -> [UInt8] {
        var key = key
        var out = [UInt8](repeating: 0, count: 65)
        var length = 65
        _ = secp256k1_ec_pubkey_serialize(context, &out, &length, &key, UInt32(SECP256K1_EC_UNCOMPRESSED))
        return Array(out[1..<65])  // drop the 0x04 prefix
    }

    /// The one libsecp256k1 context of the process: created with `SECP256K1_CONTEXT_NONE` (the
    /// SIGN/VERIFY flags are deprecated) and randomized once for side-channel blinding.
    ///
    /// `@unchecked Sendable`: the context is never mutated after `init` returns, and
    /// libsecp256k1 documents every API call taking a `const secp256k1_context*` as safe to
    /// call from several threads at once. It lives for the whole process (a library constant,
    /// like libsecp256k1's own `secp256k1_context_static`), so it is never destroyed.
    final class Context: @unchecked Sendable {
        static let shared = Context()
        let pointer: OpaquePointer

        private init() {
            // SECP256K1_CONTEXT_NONE is 1 (SECP256K1_FLAGS_TYPE_CONTEXT).
            guard let context = secp256k1_context_create(UInt32(SECP256K1_CONTEXT_NONE)) else {
                preconditionFailure("secp256k1_context_create returned NULL")
            }
            var seed = [UInt8](repeating: 0, count: 32)
            var generator = SystemRandomNumberGenerator()
            for index in 0..<32 { seed[index] = UInt8.random(in: .min ... .max, using: &generator) }
            _ = secp256k1_context_randomize(context, seed)
            PrivateKey.zero(&seed)
            pointer = context
        }
    }
}
