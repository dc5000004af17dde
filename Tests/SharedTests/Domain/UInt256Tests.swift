import Testing
import PolypipeCore

@Suite struct UInt256Tests {
    @Test(arguments: ["0", "1", "9007199254740991", "18446744073709551615", "18446744073709551616",
                      "71321045679252212594626385532706912750332728571942532289631379312455583992563",
                      "115792089237316195423570985008687907853269984665640564039457584007913129639935"])
    func decimalRoundTrip(_ text: String) throws {
        #expect(try UInt256(decimal: text).description == text)
    }

    @Test func bigEndianWord() throws {
        let value = try UInt256(decimal: "18446744073709551616")  // 2^64
        var expected = [UInt8](repeating: 0, count: 32)
        expected[23] = 1
        #expect(value.bigEndianBytes == expected)
    }

    @Test func refusesOverflowAndNonDigits() {
        #expect(throws: UInt256.ParseError.overflow) {
            try UInt256(decimal: "115792089237316195423570985008687907853269984665640564039457584007913129639936")
        }
        #expect(throws: UInt256.ParseError.self) { try UInt256(decimal: "-1") }
        #expect(throws: UInt256.ParseError.self) { try UInt256(decimal: "1.0") }
        #expect(throws: UInt256.ParseError.empty) { try UInt256(decimal: "") }
    }
}
