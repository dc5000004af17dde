import Testing
import PolypipeCore

@Suite struct JSONParserTests {
    @Test func keepsNumberTextAndKeyOrder() throws {
        let value = try JSONParser.parse(#"{"salt":18446744073709551616,"b":1e-05,"a":[true,null,"x"]}"#)
        #expect(value["salt"] == .number("18446744073709551616"))
        #expect(value["b"] == .number("1e-05"))
        guard case .object(let members) = value else { Issue.record("not an object"); return }
        #expect(members.map(\.key) == ["salt", "b", "a"])
        #expect(JSONWriter.serialize(value) == #"{"salt":18446744073709551616,"b":1e-05,"a":[true,null,"x"]}"#)
    }

    @Test func decodesEscapesAndSurrogatePairs() throws {
        let value = try JSONParser.parse(#""a\"b\\c\/\n\u00fc\ud83d\ude00""#)
        #expect(value == .string("a\"b\\c/\nü😀"))
    }

    @Test(arguments: ["", "{", "[1,]", "{\"a\" 1}", "01", "1.", "-", "\"\\x\"", "tru", "[1] 2", "\"\u{01}\"", "\"\\ud800\""])
    func refusesInvalidDocumentsWithAnOffset(_ text: String) {
        do {
            _ = try JSONParser.parse(text)
            Issue.record("accepted invalid JSON: \(text)")
        } catch {
            #expect(error.description.hasPrefix("invalid JSON at byte"))
        }
    }

    @Test func limitsNesting() {
        #expect(throws: JSONParser.SyntaxError.self) { try JSONParser.parse(String(repeating: "[", count: 100) + String(repeating: "]", count: 100)) }
    }

    /// Python's json.dumps(..., separators=(",", ":"), ensure_ascii=False).
    @Test func writesLikePythonCompactJSON() {
        var writer = JSONWriter()
        writer.string("quote\" back\\ nl\n tab\t bell\u{07} ünïcødé € del\u{7F}")
        #expect(writer.text == #""quote\" back\\ nl\n tab\t bell\u0007 ünïcødé € del\#u{7F}""#)
    }
}
