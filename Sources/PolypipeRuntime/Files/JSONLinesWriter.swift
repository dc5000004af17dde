import Foundation
import Synchronization

/// An append-only file of lines (JSON lines): created new — never over an existing file —
/// with a first line, then appended to from any thread, buffered, and closed complete.
///
/// ```swift
/// let file = try JSONLinesWriter(path: "run.jsonl", firstLine: #"{"format":1}"#)
/// try file.append(#"{"t":1,"kind":"x"}"#)
/// try file.close()   // flushed, fsync'd, closed; later appends fail
/// ```
///
/// Rules:
/// - An existing `path` is refused (``FileWriteError/exists(_:)``): a recording is never
///   overwritten by a second run.
/// - Lines are buffered up to 64 KiB; ``flush()`` writes them, ``close()`` also syncs.
/// - The first line is written at once and does not count in ``count``.
public final class JSONLinesWriter: Sendable {
    public let path: String
    private struct State {
        var handle: FileHandle?
        var buffer: [UInt8] = []
        var count = 0
        var bytes = 0
    }
    private let state: Mutex<State>

    public init(path: String, firstLine: String) throws(FileWriteError) {
        guard !FileManager.default.fileExists(atPath: path) else { throw .exists(path) }
        guard FileManager.default.createFile(atPath: path, contents: nil, attributes: [.posixPermissions: 0o644]),
              let handle = FileHandle(forWritingAtPath: path) else {
            throw .cannotOpen(path, String(cString: strerror(errno)))
        }
        self.path = path
        state = Mutex(State(handle: handle))
        try write(Array((firstLine + "\n").utf8), counted: false, flush: true)
    }

    /// Lines appended so far (the first line not counted), and the bytes written once flushed.
    public var count: Int { state.withLock { $0.count } }
    public var bytes: Int { state.withLock { $0.bytes } }

    /// Appends one line (`line` must not contain a newline).
    public func append(_ line: String) throws(FileWriteError) {
        try write(Array((line + "\n").utf8), counted: true, flush: false)
    }

    public func flush() throws(FileWriteError) { try write([], counted: false, flush: true) }

    /// Flushes, syncs and closes; the file is complete. Later appends fail.
    public func close() throws(FileWriteError) {
        try flush()
        let result: Result<Void, FileWriteError> = state.withLock { state in
            guard let handle = state.handle else { return .success(()) }
            state.handle = nil
            do { try handle.synchronize(); try handle.close() } catch { return .failure(.cannotWrite(path, "\(error)")) }
            return .success(())
        }
        try result.get()
    }

    private func write(_ bytes: [UInt8], counted: Bool, flush: Bool) throws(FileWriteError) {
        let result: Result<Void, FileWriteError> = state.withLock { state in
            guard let handle = state.handle else { return .failure(.cannotWrite(path, "the file is closed")) }
            state.buffer.append(contentsOf: bytes)
            if counted { state.count += 1 }
            guard flush || state.buffer.count >= 64 * 1024 else { return .success(()) }
            do { try handle.write(contentsOf: state.buffer) } catch { return .failure(.cannotWrite(path, "\(error)")) }
            state.bytes += state.buffer.count
            state.buffer.removeAll(keepingCapacity: true)
            return .success(())
        }
        try result.get()
    }
}

/// Why an append-only file cannot be created or written; each names the file.
public enum FileWriteError: Error, Equatable, CustomStringConvertible {
    case exists(String)
    case cannotOpen(String, String)
    case cannotWrite(String, String)

    public var description: String {
        switch self {
        case .exists(let path): return "\(path) exists; choose another file (a recording is never overwritten)"
        case .cannotOpen(let path, let why): return "cannot open \(path): \(why)"
        case .cannotWrite(let path, let why): return "cannot write \(path): \(why)"
        }
    }
}
