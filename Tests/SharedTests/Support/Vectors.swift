import Foundation
import Testing
import PolypipeCore

/// One case of the official vector file (`../shared/vectors/clob-v2-vectors.json`, produced by
/// py-clob-client-v2 1.2.1; see its `meta`).
struct VectorCase: Sendable, CustomTestStringConvertible {
    let id: String
    let kind: String
    let inputs: JSONValue
    let expected: JSONValue
    var testDescription: String { id }
}

/// Loads the vector files once. `POLYPIPE_VECTORS` may name other files (colon-separated), e.g.
/// a held-back set with the same schema; by default the public file beside the repository.
enum Vectors {
    static let files: [String] = {
        if let list = ProcessInfo.processInfo.environment["POLYPIPE_VECTORS"], !list.isEmpty {
            return list.split(separator: ":").map(String.init)
        }
        return [repositoryRoot.appendingPathComponent("../shared/vectors/clob-v2-vectors.json").standardized.path]
    }()

    static let repositoryRoot: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// Every case of every file; empty (and ``loadError`` set) when a file cannot be read.
    static let all: [VectorCase] = (try? load()) ?? []

    static var loadError: String? {
        do { _ = try load(); return nil } catch { return "\(error)" }
    }

    static func cases(_ kind: String) -> [VectorCase] { all.filter { $0.kind == kind } }

    private static func load() throws -> [VectorCase] {
        var out: [VectorCase] = []
        for file in files {
            let data = try Data(contentsOf: URL(fileURLWithPath: file))
            let document = try JSONParser.parse(Array(data))
            guard case .array(let cases)? = document["cases"] else { throw VectorError("\(file) has no cases array") }
            for entry in cases {
                guard let id = entry["id"]?.scalarText, let kind = entry["kind"]?.scalarText,
                      let inputs = entry["inputs"], let expected = entry["expected"] else {
                    throw VectorError("\(file): a case lacks id, kind, inputs or expected")
                }
                out.append(VectorCase(id: id, kind: kind, inputs: inputs, expected: expected))
            }
        }
        return out
    }

    struct VectorError: Error, CustomStringConvertible {
        let description: String
        init(_ description: String) { self.description = description }
    }
}

extension JSONValue {
    /// Follows a dotted path of object members ("eip712.domain_separator").
    func at(_ path: String) -> JSONValue? {
        var current: JSONValue? = self
        for part in path.split(separator: ".") { current = current?[String(part)] }
        return current
    }

    /// The string or number text at `path`, or "" when absent (so a comparison fails visibly).
    func text(_ path: String) -> String { at(path)?.scalarText ?? "" }

    var boolValue: Bool? { if case .bool(let flag) = self { return flag }; return nil }
}

@Suite struct VectorFileTests {
    @Test func vectorFilesLoadWithEveryKind() throws {
        #expect(Vectors.loadError == nil, "vector file could not be read: \(Vectors.loadError ?? "")")
        for kind in ["address", "keccak256", "l1_clob_auth", "http_request", "l2_hmac", "order", "order_rejected",
                     "limit_amounts", "market_amounts", "constants"] {
            #expect(!Vectors.cases(kind).isEmpty, "no \(kind) cases")
        }
    }
}
