import Testing
import PolypipeCore

@Suite struct PrivateKeyTests {
    static let hardhat0 = "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80"

    @Test func derivesTheAccountAddress() throws {
        let key = try PrivateKey(hex: Self.hardhat0)
        #expect(key.address.checksummed == "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266")
    }

    @Test func neverPrintsItsBytes() throws {
        let key = try PrivateKey(hex: Self.hardhat0)
        let secretHex = String(Self.hardhat0.dropFirst(2))
        var dumped = ""
        dump(key, to: &dumped)
        for rendering in ["\(key)", String(describing: key), String(reflecting: key), dumped, "\([key])", "\(Optional(key) as Any)"] {
            // A boolean, so a failure does not print the rendering (and the key) itself.
            let leaked = rendering.lowercased().contains(secretHex) || rendering.lowercased().contains(secretHex.prefix(16))
            #expect(!leaked, "key bytes leaked through a rendering of PrivateKey")
        }
        #expect("\(key)".contains("<redacted>"))
        #expect("\(key)".contains("0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266"))
    }

    @Test func errorsNeverEchoTheText() {
        let bad = "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ffZZ"
        do {
            _ = try PrivateKey(hex: bad)
            Issue.record("a key with non-hex digits was accepted")
        } catch {
            let echoed = error.description.contains("ac0974bec39a17e3")
            #expect(!echoed, "the error echoed the key text")
            #expect(error.description.contains("hex"))
        }
    }

    @Test func acceptsSurroundingWhitespaceAndNoPrefix() throws {
        let key = try PrivateKey(hex: "  " + Self.hardhat0.dropFirst(2) + "\n")
        #expect(key.address.checksummed == "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266")
    }

    @Test(arguments: ["", "0x", "0x1234", String(repeating: "0", count: 64),
                      "0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141",
                      "0x" + String(repeating: "f", count: 64)])
    func refusesInvalidKeys(_ text: String) {
        #expect(throws: SigningError.self) { try PrivateKey(hex: text) }
    }

    @Test func zeroWipesABuffer() {
        var bytes: [UInt8] = [1, 2, 3, 4]
        PrivateKey.zero(&bytes)
        #expect(bytes == [0, 0, 0, 0])
    }

    @Test(arguments: Vectors.cases("address"))
    func officialAddressVector(_ vector: VectorCase) throws {
        let text = vector.inputs.text("private_key")
        if vector.expected["valid"]?.boolValue == true {
            let key = try PrivateKey(hex: text)
            #expect(key.address.checksummed == vector.expected.text("address"))
            #expect(key.address.lowercased == vector.expected.text("address_lower"))
            #expect(Hex.encode(key.publicKey) == vector.expected.text("public_key_uncompressed_xy"))
            #expect(Hex.encode(Keccak256.hash(key.publicKey)) == vector.expected.text("keccak_of_public_key"))
        } else {
            #expect(throws: SigningError.self) { try PrivateKey(hex: text) }
        }
    }
}
