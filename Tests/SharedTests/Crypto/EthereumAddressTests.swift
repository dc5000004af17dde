import Testing
import PolypipeCore

@Suite struct EthereumAddressTests {
    @Test func printsEIP55() throws {
        let address = try EthereumAddress("0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266")
        #expect(address.checksummed == "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266")
        #expect(address.text == "0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266")
    }

    @Test func equalityIgnoresCase() throws {
        #expect(try EthereumAddress("0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266") == EthereumAddress("0xF39FD6E51AAD88F6F4CE6AB8827279CFFFB92266"))
    }

    @Test func refusesABadChecksum() {
        // One letter's case flipped relative to the EIP-55 form.
        #expect(throws: EthereumAddress.ParseError.self) { try EthereumAddress("0xF39Fd6e51aad88F6F4ce6aB8827279cffFb92266") }
    }

    @Test(arguments: ["", "0x", "f39fd6e51aad88f6f4ce6ab8827279cfffb92266", "0xf39fd6e51aad88f6f4ce6ab8827279cfffb9226",
                      "0xg39fd6e51aad88f6f4ce6ab8827279cfffb92266"])
    func refusesMalformedText(_ text: String) {
        #expect(throws: EthereumAddress.ParseError.self) { try EthereumAddress(text) }
    }
}
