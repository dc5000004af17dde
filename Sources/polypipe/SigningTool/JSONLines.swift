import Foundation
import PolypipeCore

/// The JSON-lines driver of the signing tools: reads stdin line by line, answers each request
/// with exactly one line on stdout, in order. A line that fails yields `{"error": "…"}` and the
/// tool goes on; blank lines are skipped. Exit status is 0 unless stdin cannot be read.
enum JSONLines {
    static func run(_ handle: (RequestFields) throws(RequestError) -> JSONValue) {
        var lineNumber = 0
        while let line = readLine(strippingNewline: true) {
            lineNumber += 1
            if line.allSatisfy({ $0.isWhitespace }) { continue }
            let result: JSONValue
            do {
                let request = try JSONParser.parse(line)
                result = try handle(try RequestFields(request))
            } catch let error as RequestError {
                result = .object([("error", .string(error.description))])
            } catch {
                result = .object([("error", .string("line \(lineNumber): \(error)"))])
            }
            FileHandle.standardOutput.write(Data((JSONWriter.serialize(result) + "\n").utf8))
        }
    }
}
