import Testing
import PolypipeCore

@Suite struct Secp256k1Tests {
    /// secp256k1 group order / 2: a low-s signature has s <= this.
    static let halfOrder = try! Hex.decode("7fffffffffffffffffffffffffffffff5d576e7357a4501ddfe92f46681b20a0")

    @Test func signatureRecoversToTheKeyAndIsLowS() throws {
        let key = try PrivateKey(hex: PrivateKeyTests.hardhat0)
        for index in 0..<32 {
            let digest = Keccak256.hash(utf8: "message \(index)")
            let signature = try Secp256k1.sign(digest: digest, with: key)
            #expect(signature.v == 27 || signature.v == 28)
            #expect(signature.s.lexicographicallyPrecedes(Self.halfOrder) || signature.s == Self.halfOrder)
            #expect(try Secp256k1.recoverAddress(signature: signature, digest: digest) == key.address)
            // Deterministic (RFC 6979): the same digest gives the same bytes.
            #expect(try Secp256k1.sign(digest: digest, with: key) == signature)
        }
    }

    @Test func refusesADigestOfTheWrongLength() throws {
        let key = try PrivateKey(hex: PrivateKeyTests.hardhat0)
        #expect(throws: SigningError.invalidDigestLength(31)) { try Secp256k1.sign(digest: [UInt8](repeating: 1, count: 31), with: key) }
    }

    @Test func aTamperedDigestRecoversToSomeoneElse() throws {
        let key = try PrivateKey(hex: PrivateKeyTests.hardhat0)
        let digest = Keccak256.hash(utf8: "order")
        let signature = try Secp256k1.sign(digest: digest, with: key)
        var tampered = digest
        tampered[0] ^= 1
        #expect(try Secp256k1.recoverAddress(signature: signature, digest: tampered) != key.address)
    }
}
