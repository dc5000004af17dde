import Foundation
import PolypipeCore
import PolypipeRuntime

/// A recording of an upstream venue: a header line, then one ``UpstreamRecord`` per line, in the
/// order received (JSON lines; `polypipe record` writes it, `clob-sim --replay` serves it).
///
/// ```
/// {"polypipe_recording":1,"started_at_ms":1796661600000,"upstream":"https://clob.polymarket.com","windows":["5m"],"symbol":"btcusdt"}
/// {"t":1796661600123,"kind":"window","key":"btc-updown-5m-1796661600","data":[…]}
/// ```
public struct RecordingHeader: Sendable, Hashable {
    /// The format's version; a reader refuses others.
    public static let version = 1

    public var startedAtMillis: Int64
    /// Where it was recorded from (the upstream's CLOB URL).
    public var upstream: String
    /// The window lengths followed (`20s`, `5m`, `15m`).
    public var windows: [String]
    /// The reference-price symbol followed.
    public var symbol: String

    public init(startedAtMillis: Int64, upstream: String, windows: [String], symbol: String) {
        self.startedAtMillis = startedAtMillis
        self.upstream = upstream
        self.windows = windows
        self.symbol = symbol
    }

    public var line: String {
        JSONWriter.serialize(.object([
            ("polypipe_recording", .number(String(Self.version))), ("started_at_ms", .number(String(startedAtMillis))),
            ("upstream", .string(upstream)), ("windows", .array(windows.map(JSONValue.string))), ("symbol", .string(symbol)),
        ]))
    }

    init(line: String) throws(RecordingError) {
        guard let json = try? JSONParser.parse(line), let version = json["polypipe_recording"]?.scalarText.flatMap({ Int($0) }) else {
            throw .notARecording
        }
        guard version == Self.version else { throw .unsupportedVersion(version) }
        guard let started = json["started_at_ms"]?.scalarText.flatMap({ Int64($0) }) else { throw .malformedHeader("no started_at_ms") }
        var windows: [String] = []
        if case .array(let items)? = json["windows"] { windows = items.compactMap(\.scalarText) }
        self.init(startedAtMillis: started, upstream: json["upstream"]?.scalarText ?? "", windows: windows,
                  symbol: json["symbol"]?.scalarText ?? "")
    }
}

/// Why a recording cannot be written or read. Each names the file, and the line when one is bad.
public enum RecordingError: Error, CustomStringConvertible, Equatable {
    case exists(String)
    case cannotOpen(String, String)
    case cannotWrite(String, String)
    case notARecording
    case unsupportedVersion(Int)
    case malformedHeader(String)
    case malformedLine(path: String, line: Int, String)

    public var description: String {
        switch self {
        case .exists(let path): return "\(path) exists; choose another --out (a recording is never overwritten)"
        case .cannotOpen(let path, let why): return "cannot open \(path): \(why)"
        case .cannotWrite(let path, let why): return "cannot write \(path): \(why)"
        case .notARecording: return "not a polypipe recording (its first line is not a recording header)"
        case .unsupportedVersion(let version): return "recording format version \(version) is not supported (this build reads version \(RecordingHeader.version))"
        case .malformedHeader(let why): return "malformed recording header: \(why)"
        case .malformedLine(let path, let line, let why): return "\(path) line \(line): \(why)"
        }
    }
}

/// Appends records to a new recording file (a ``JSONLinesWriter`` whose first line is the
/// header). Safe from any thread; ``close()`` flushes and syncs.
public final class RecordingWriter: Sendable {
    private let file: JSONLinesWriter

    /// Creates `path` (never overwriting one) and writes the header.
    public init(path: String, header: RecordingHeader) throws(RecordingError) {
        do { file = try JSONLinesWriter(path: path, firstLine: header.line) } catch { throw RecordingError(error) }
    }

    public var path: String { file.path }
    /// Records written so far, and the file's size in bytes once flushed.
    public var count: Int { file.count }
    public var bytes: Int { file.bytes }

    public func append(_ record: UpstreamRecord) throws(RecordingError) {
        do { try file.append(record.line) } catch { throw RecordingError(error) }
    }

    public func flush() throws(RecordingError) {
        do { try file.flush() } catch { throw RecordingError(error) }
    }

    /// Flushes, syncs and closes; the file is complete. Later appends fail.
    public func close() throws(RecordingError) {
        do { try file.close() } catch { throw RecordingError(error) }
    }
}

extension RecordingError {
    init(_ error: FileWriteError) {
        switch error {
        case .exists(let path): self = .exists(path)
        case .cannotOpen(let path, let why): self = .cannotOpen(path, why)
        case .cannotWrite(let path, let why): self = .cannotWrite(path, why)
        }
    }
}

/// Reads a recording: its header, then every record in order. The whole file is read at once
/// (recordings for tests and demos are a few MB; a day of one market is tens).
public struct RecordingReader: Sendable {
    public let path: String
    public let header: RecordingHeader
    public let records: [UpstreamRecord]

    /// - Throws: ``RecordingError`` naming the first bad line; nothing is skipped silently.
    public init(path: String) throws(RecordingError) {
        guard let data = FileManager.default.contents(atPath: path) else { throw .cannotOpen(path, "no such file or not readable") }
        let lines = String(decoding: data, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: true)
        guard let first = lines.first else { throw .notARecording }
        header = try RecordingHeader(line: String(first))
        var records: [UpstreamRecord] = []
        records.reserveCapacity(lines.count - 1)
        for (index, line) in lines.dropFirst().enumerated() {
            do { records.append(try UpstreamRecord(line: String(line))) } catch {
                throw .malformedLine(path: path, line: index + 2, error.reason)
            }
        }
        self.path = path
        self.records = records
    }
}
