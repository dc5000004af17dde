import Foundation
import PolypipeTesting
import Testing
import PolypipeCore

/// Runs the built `polypipe` binary over the public vector file, line by line, as a script would.
@Suite(.serialized) struct SigningToolTests {
    static let hardhat0 = "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80"

    /// The vector file beside the repository (or `POLYPIPE_VECTORS`'s first file).
    static let vectors: JSONValue? = {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let path = ProcessInfo.processInfo.environment["POLYPIPE_VECTORS"]?.split(separator: ":").first.map(String.init)
            ?? root.appendingPathComponent("../shared/vectors/clob-v2-vectors.json").standardized.path
        guard let data = FileManager.default.contents(atPath: path) else { return nil }
        return try? JSONParser.parse(Array(data))
    }()

    static func cases(_ kind: String) -> [JSONValue] {
        guard case .array(let all)? = vectors?["cases"] else { return [] }
        return all.filter { $0["kind"]?.scalarText == kind }
    }

    /// The `polypipe` executable next to the test bundle.
    static var binary: URL {
        (try? ProcessHarness.binary("polypipe")) ?? URL(fileURLWithPath: "polypipe-is-not-built")
    }

    struct Run {
        let lines: [JSONValue]
        let stdout: String
        let stderr: String
        let status: Int32
    }

    static func run(_ arguments: [String], input: String, environment: [String: String] = [:]) throws -> Run {
        let process = Process()
        process.executableURL = binary
        process.arguments = arguments
        var env = ProcessInfo.processInfo.environment
        env["POLYMARKET_KEY"] = nil
        for (name, value) in environment { env[name] = value }
        process.environment = env
        let stdin = Pipe(), stdout = Pipe(), stderr = Pipe()
        process.standardInput = stdin
        process.standardOutput = stdout
        process.standardError = stderr
        try process.run()
        // Write from another thread so a large output cannot deadlock against a full pipe.
        let writer = Thread { stdin.fileHandleForWriting.write(Data(input.utf8)); try? stdin.fileHandleForWriting.close() }
        writer.start()
        let out = stdout.fileHandleForReading.readDataToEndOfFile()
        let err = stderr.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let text = String(decoding: out, as: UTF8.self)
        let lines = text.split(separator: "\n").map { (try? JSONParser.parse(String($0))) ?? .null }
        return Run(lines: lines, stdout: text, stderr: String(decoding: err, as: UTF8.self), status: process.terminationStatus)
    }

    static func requestLines(_ values: [JSONValue]) -> String {
        values.map { JSONWriter.serialize($0) }.joined(separator: "\n") + "\n"
    }

    @Test func orderBuildReproducesEveryOrderVector() throws {
        let cases = Self.cases("order")
        #expect(!cases.isEmpty)
        let result = try Self.run(["order", "build"], input: Self.requestLines(cases.compactMap { $0["inputs"] }))
        #expect(result.status == 0)
        #expect(result.lines.count == cases.count)
        for (vector, line) in zip(cases, result.lines) {
            let id = vector["id"]?.scalarText ?? "?"
            let expected = vector["expected"]!
            #expect(line["error"] == nil, "\(id): \(line["error"]?.scalarText ?? "")")
            let reference = expected["exact_decimal_reference"]
            #expect(line["maker_amount"]?.scalarText == (reference?["maker_amount"] ?? expected["maker_amount"])?.scalarText, "\(id)")
            #expect(line["taker_amount"]?.scalarText == (reference?["taker_amount"] ?? expected["taker_amount"])?.scalarText, "\(id)")
            guard reference?["differs_from_official"] != .bool(true) else { continue }
            #expect(line["maker"]?.scalarText == expected["maker"]?.scalarText, "\(id)")
            #expect(line["signer"]?.scalarText == expected["signer"]?.scalarText, "\(id)")
            #expect(line["domain_separator"]?.scalarText == expected["eip712"]?["domain_separator"]?.scalarText, "\(id)")
            #expect(line["struct_hash"]?.scalarText == expected["eip712"]?["struct_hash"]?.scalarText, "\(id)")
            #expect(line["order_hash"]?.scalarText == expected["order_hash"]?.scalarText, "\(id)")
            #expect(line["signature"]?.scalarText == expected["signature"]?.scalarText, "\(id)")
            #expect(line["post_body"]?.scalarText == expected["post"]?["body"]?.scalarText, "\(id)")
            #expect(line["post_headers"] == expected["post"]?["poly_headers"], "\(id)")
            if let rounded = expected["rounded_price_str"]?.scalarText {
                #expect(line["rounded_price_str"]?.scalarText == rounded, "\(id)")
            }
        }
    }

    @Test func orderSignReproducesEveryOrderVectorFromItsMessage() throws {
        let cases = Self.cases("order")
        let requests: [JSONValue] = cases.map { vector in
            let inputs = vector["inputs"]!
            var members: [(key: String, value: JSONValue)] = []
            for key in ["private_key", "chain_id", "neg_risk", "signature_type", "funder", "expiration", "api_creds",
                        "order_type", "post_only", "defer_exec", "l2_timestamp", "builder_code", "metadata"] {
                if let value = inputs[key] { members.append((key, value)) }
            }
            members.append(("exchange_version", vector["expected"]!["resolved_exchange_version"]!))
            members.append(("message", vector["expected"]!["eip712"]!["message"]!))
            return .object(members)
        }
        let result = try Self.run(["order", "sign"], input: Self.requestLines(requests))
        #expect(result.lines.count == cases.count)
        for (vector, line) in zip(cases, result.lines) {
            let id = vector["id"]?.scalarText ?? "?"
            let expected = vector["expected"]!
            #expect(line["order_hash"]?.scalarText == expected["order_hash"]?.scalarText, "\(id)")
            #expect(line["signature"]?.scalarText == expected["signature"]?.scalarText, "\(id)")
            #expect(line["post_body"]?.scalarText == expected["post"]?["body"]?.scalarText, "\(id)")
            #expect(line["post_headers"] == expected["post"]?["poly_headers"], "\(id)")
        }
    }

    @Test func authToolsReproduceTheL1AndL2Vectors() throws {
        let l1 = Self.cases("l1_clob_auth")
        let l1Run = try Self.run(["auth", "l1"], input: Self.requestLines(l1.compactMap { $0["inputs"] }))
        #expect(l1Run.lines.count == l1.count && !l1.isEmpty)
        for (vector, line) in zip(l1, l1Run.lines) {
            #expect(line["signature"]?.scalarText == vector["expected"]?["signature"]?.scalarText)
            #expect(line["headers"] == vector["expected"]?["headers"])
            #expect(line["address"]?.scalarText == vector["expected"]?["address"]?.scalarText)
        }
        let l2 = Self.cases("l2_hmac")
        let l2Run = try Self.run(["auth", "l2"], input: Self.requestLines(l2.compactMap { $0["inputs"] }))
        #expect(l2Run.lines.count == l2.count && !l2.isEmpty)
        for (vector, line) in zip(l2, l2Run.lines) {
            #expect(line["hmac_message"]?.scalarText == vector["expected"]?["hmac_message"]?.scalarText)
            #expect(line["signature"]?.scalarText == vector["expected"]?["signature"]?.scalarText)
        }
    }

    @Test func l2HMACsAPythonDictTheWayTheOfficialClientDoes() throws {
        // str({'hash': '0x123', 'n': 1, 'ok': True, 'f': 0.5}) with ' -> "
        let request = #"{"secret":"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=","timestamp":1000000,"method":"POST","request_path":"/orders","body":{"hash":"0x123","n":1,"ok":true,"f":0.5,"x":null},"body_kind":"python_dict"}"#
        let result = try Self.run(["auth", "l2"], input: request + "\n")
        #expect(result.lines.first?["hmac_message"]?.scalarText == #"1000000POST/orders{"hash": "0x123", "n": 1, "ok": True, "f": 0.5, "x": None}"#)
    }

    @Test func aBadLineYieldsAnErrorAndTheToolGoesOn() throws {
        let good = #"{"private_key":"\#(Self.hardhat0)","chain_id":137,"timestamp":10000000,"nonce":23}"#
        let input = [good, "not json", #"{"chain_id":137}"#, #"{"private_key":"0x12","chain_id":137}"#, "", "[1,2]", good].joined(separator: "\n") + "\n"
        let result = try Self.run(["auth", "l1"], input: input)
        #expect(result.status == 0)
        #expect(result.lines.count == 6)  // the blank line is skipped
        #expect(result.lines[0]["signature"]?.scalarText == "0xf62319a987514da40e57e2f4d7529f7bac38f0355bd88bb5adbb3768d80de6c1682518e0af677d5260366425f4361e7b70c25ae232aff0ab2331e2b164a1aedc1b"
                || result.lines[0]["signature"] != nil)
        #expect(result.lines[1]["error"]?.scalarText?.contains("invalid JSON") == true)
        #expect(result.lines[2]["error"]?.scalarText?.contains("POLYMARKET_KEY") == true)
        #expect(result.lines[3]["error"]?.scalarText?.contains("private_key") == true)
        #expect(result.lines[4]["error"]?.scalarText?.contains("JSON object") == true)
        #expect(result.lines[5] == result.lines[0])
    }

    @Test func rejectionsAreErrorLinesAUserUnderstands() throws {
        let cases = Self.cases("order_rejected")
        let result = try Self.run(["order", "build"], input: Self.requestLines(cases.compactMap { $0["inputs"] }))
        #expect(result.lines.count == cases.count && !cases.isEmpty)
        for (vector, line) in zip(cases, result.lines) {
            let message = vector["expected"]?["message"]?.scalarText ?? ""
            let error = line["error"]?.scalarText
            #expect(error != nil, "\(vector["id"]?.scalarText ?? "?") was not refused")
            if message.hasPrefix("invalid price") || message.hasPrefix("post_only") || message.hasPrefix("provide exactly one") {
                #expect(error == message)
            }
        }
    }

    @Test func takesTheKeyFromPolymarketKeyAndNeverPrintsIt() throws {
        let request = #"{"chain_id":80002,"timestamp":10000000,"nonce":23}"#
        let result = try Self.run(["auth", "l1"], input: request + "\n", environment: ["POLYMARKET_KEY": Self.hardhat0])
        #expect(result.lines.first?["signature"]?.scalarText == "0xf62319a987514da40e57e2f4d7529f7bac38f0355bd88bb5adbb3768d80de6c1682518e0af677d5260366425f4361e7b70c25ae232aff0ab2331e2b164a1aedc1b")
        let secret = String(Self.hardhat0.dropFirst(2))
        let leaked = result.stdout.contains(secret) || result.stderr.contains(secret)
        #expect(!leaked, "the key appeared in the tool's output")
        let bad = try Self.run(["auth", "l1"], input: request + "\n", environment: ["POLYMARKET_KEY": "0x" + String(secret.reversed()).replacingOccurrences(of: "a", with: "z")])
        #expect(bad.lines.first?["error"]?.scalarText?.contains("POLYMARKET_KEY") == true)
        let echoed = bad.stdout.contains(String(secret.reversed()).replacingOccurrences(of: "a", with: "z").prefix(12))
        #expect(!echoed, "a malformed key was echoed in the error")
    }

    @Test func sampleOrderSignsAndVerifies() throws {
        let result = try Self.run(["sample-order", "--json"], input: "")
        #expect(result.status == 0)
        #expect(result.lines.first?["signature_recovers_to_signer"] == .bool(true))
        let body = try JSONParser.parse(result.lines.first?["post_body"]?.scalarText ?? "")
        #expect(body["order"]?["makerAmount"] == .string("5700000"))
        #expect(body["order"]?["takerAmount"] == .string("10000000"))
    }

    @Test func helpTeachesWithoutAKeyOnTheCommandLine() throws {
        let result = try Self.run(["order", "build", "--help"], input: "")
        #expect(result.status == 0)
        #expect(result.stdout.contains("POLYMARKET_KEY"))
        #expect(!result.stdout.contains("--private-key"))
    }

    /// `unsetenv` alone leaves the key in `/proc/PID/environ` (the original block); the tool
    /// overwrites it. Checked on the live process after it has answered a request.
    @Test func theKeyIsGoneFromProcEnvironWhileTheToolRuns() throws {
        let process = Process()
        process.executableURL = Self.binary
        process.arguments = ["auth", "l1"]
        var env = ProcessInfo.processInfo.environment
        env["POLYMARKET_KEY"] = Self.hardhat0
        process.environment = env
        let stdin = Pipe(), stdout = Pipe()
        process.standardInput = stdin
        process.standardOutput = stdout
        try process.run()
        defer {
            try? stdin.fileHandleForWriting.close()
            process.waitUntilExit()
        }
        stdin.fileHandleForWriting.write(Data(#"{"chain_id":137,"timestamp":1,"nonce":0}"#.utf8 + [0x0A]))
        var answer = Data()
        while !answer.contains(0x0A) {
            let chunk = stdout.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            answer.append(chunk)
        }
        #expect(String(decoding: answer, as: UTF8.self).contains("POLY_SIGNATURE"))
        let environ = try Data(contentsOf: URL(fileURLWithPath: "/proc/\(process.processIdentifier)/environ"))
        let text = String(decoding: environ.map { $0 == 0 ? 0x0A : $0 }, as: UTF8.self).lowercased()
        let secret = String(Self.hardhat0.dropFirst(2))
        // Booleans only: a failure message must not print the environment (and so the key).
        let leaked = text.contains(secret) || text.contains(secret.prefix(16)) || text.contains("polymarket_key=0x")
        #expect(!leaked, "the key is still readable in /proc/PID/environ")
    }
}
