import Testing
import PolypipeCore

@Suite struct ExactDecimalTests {
    @Test(arguments: [
        ("0.125", 2, ExactDecimal.Rounding.halfEven, "0.12"),
        ("0.135", 2, .halfEven, "0.14"),
        ("0.1251", 2, .halfEven, "0.13"),
        ("0.55", 1, .halfEven, "0.6"),
        ("0.29", 2, .down, "0.29"),
        ("1.15", 2, .down, "1.15"),
        ("33.333333", 2, .down, "33.33"),
        ("0.004", 2, .down, "0.00"),
        ("5.76840001", 8, .up, "5.76840001"),
        ("5.768400001", 8, .up, "5.76840001"),
        ("1e-05", 4, .down, "0.0000"),
        ("1e-05", 5, .down, "0.00001"),
        ("1.5E2", 0, .down, "150"),
        ("00012.50", 1, .down, "12.5"),
        ("0.999999999999999999999999999", 2, .up, "1.00"),
        ("0.00000000000000000000000000000000000000000000000001", 2, .up, "0.01"),
    ])
    func roundsOnDecimalDigits(_ example: (String, Int, ExactDecimal.Rounding, String)) throws {
        #expect(try ExactDecimal(example.0, places: example.1, rounding: example.2).description == example.3)
    }

    @Test func keepsEveryDigitWhenAskedTo() throws {
        let value = try ExactDecimal("86683866.74")
        #expect(value.units == 8_668_386_674 && value.scale == 2)
        #expect(try ExactDecimal("0.50") == ExactDecimal("0.5"))
        #expect(try ExactDecimal("0.5").shortDescription == "0.5")
        #expect(try ExactDecimal("0.0001").shortDescription == "0.0001")
        #expect(try ExactDecimal("3").shortDescription == "3.0")
    }

    @Test(arguments: ["", ".", "-1", "1..2", "1e", "1e+", "abc", "0x10", "1,5", "1e99999"])
    func refusesWhatIsNotANonNegativeDecimal(_ text: String) {
        #expect(throws: ExactDecimal.ParseError.self) { try ExactDecimal(text) }
    }

    @Test func refusesMoreDigitsThanItCanHold() {
        #expect(throws: ExactDecimal.ParseError.self) { try ExactDecimal(String(repeating: "9", count: 40)) }
    }
}
