import Foundation
import Testing

/// Comments cite the protocol reference as "spec §4.1" and the test matrix by row id
/// ("SUB-03"). Both documents are committed (`docs/spec/polymarket-clob.md`,
/// `docs/test-matrix.md`), so every citation must name a section or a row a reader can open.
@Suite struct CitationTests {
    static let root = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()

    static func text(_ path: String) throws -> String {
        try String(contentsOf: root.appendingPathComponent(path), encoding: .utf8)
    }

    /// Every `.swift` file under Sources and Tests, with its path relative to the repository.
    static func swiftFiles() throws -> [(path: String, text: String)] {
        var files: [(String, String)] = []
        for top in ["Sources", "Tests"] {
            let base = root.appendingPathComponent(top)
            guard let walker = FileManager.default.enumerator(atPath: base.path) else { continue }
            for case let relative as String in walker where relative.hasSuffix(".swift") {
                files.append(("\(top)/\(relative)", try text("\(top)/\(relative)")))
            }
        }
        return files
    }

    static func matches(_ pattern: String, in text: String) throws -> [String] {
        let regex = try Regex(pattern)
        return text.matches(of: regex).map { String(text[$0.range]) }
    }

    @Test func everyCitedSpecSectionExists() throws {
        let spec = try Self.text("docs/spec/polymarket-clob.md")
        // "## 4. REST endpoints" and "### 4.1 Place orders" give "4" and "4.1".
        let sections = Set(try Self.matches(#"(?m)^#{2,3} [0-9]+(\.[0-9]+)?"#, in: spec)
            .map { $0.drop(while: { $0 == "#" || $0 == " " }) }.map(String.init))
        #expect(sections.contains("9") && sections.contains("4.1"), "the spec's headings are not where this test looks")
        var missing: [String] = []
        for file in try Self.swiftFiles() {
            for citation in try Self.matches(#"§ ?[0-9]+(\.[0-9]+)?"#, in: file.text) {
                let section = citation.dropFirst().trimmingCharacters(in: .whitespaces)
                if !sections.contains(section) { missing.append("\(file.path): \(citation)") }
            }
        }
        #expect(missing.isEmpty, "cited sections that docs/spec/polymarket-clob.md does not have: \(missing)")
    }

    @Test func everyCitedTestMatrixRowExists() throws {
        let matrix = try Self.text("docs/test-matrix.md")
        let rows = Set(try Self.matches(#"(?m)^\| ★?[A-Z]+-[0-9]+"#, in: matrix)
            .map { String($0.drop(while: { $0 == "|" || $0 == " " || $0 == "★" })) })
        let prefixes = Set(rows.map { String($0.prefix(while: { $0 != "-" })) })
        #expect(rows.contains("SUB-03") && prefixes.contains("RL"), "the matrix's rows are not where this test looks")
        var missing: [String] = []
        for file in try Self.swiftFiles() {
            for id in try Self.matches(#"\b[A-Z]{2,4}-[0-9]{2}\b"#, in: file.text)
            where prefixes.contains(String(id.prefix(while: { $0 != "-" }))) && !rows.contains(id) {
                missing.append("\(file.path): \(id)")
            }
        }
        #expect(missing.isEmpty, "cited rows that docs/test-matrix.md does not have: \(missing)")
    }
}
