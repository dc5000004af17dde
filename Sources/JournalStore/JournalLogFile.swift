import Foundation

/// The journal's append-only log: the file a write reaches before anything is sent.
///
/// ```
/// header  "PPJLOG1\n" (8 bytes)  generation (UInt64 LE, random per reset)
/// frame   payload length (UInt32 LE)  CRC-32C of the payload (UInt32 LE)  payload (a JournalChange)
/// frame   …
/// ```
/// Every change is one frame written with one `write(2)` on a descriptor opened `O_APPEND`, so
/// once `append` returns the bytes are in the kernel's page cache: they survive the process
/// dying at any instant (`kill -9`, a crash). A write cut short by the kill leaves at most one
/// incomplete or mis-checksummed frame at the very end — a *torn tail*, which ``scan(_:startingAt:)``
/// reports and the journal truncates (that change was never acknowledged, so nothing was sent
/// for it). A bad frame *followed by more data* is not a torn write but damage, and is an error:
/// the journal refuses to guess. With `syncEachAppend` each append is also `fdatasync`ed
/// (power-loss durability, at a millisecond-scale cost per order).
///
/// The generation ties the log to the offsets recorded in SQLite: when the log is emptied (all
/// of it applied), it gets a new generation, and SQLite's "applied up to offset N" of the old one
/// no longer matches anything.
///
/// Thread safety: the descriptor is immutable; callers serialize appends among themselves (a
/// mutex) and with other processes (``lock()``, an `flock`).
final class JournalLogFile: Sendable {
    static let magic: [UInt8] = Array("PPJLOG1\n".utf8)
    static let headerSize: Int64 = 16
    static let frameHeaderSize = 8
    /// Far above any order (a body is about 1 KB); a larger length is damage.
    static let maxPayload = 16 << 20

    let path: String
    let syncEachAppend: Bool
    private let descriptor: Int32

    /// Opens (creating, mode 0600) the log at `path`. - Throws: ``Journal/Failure``.
    init(path: String, syncEachAppend: Bool) throws(Journal.Failure) {
        self.path = path
        self.syncEachAppend = syncEachAppend
        descriptor = open(path, O_RDWR | O_CREAT | O_APPEND | O_CLOEXEC, 0o600)
        if descriptor < 0 { throw Self.failure("open", path: path) }
    }

    deinit { close(descriptor) }

    /// Takes the exclusive advisory lock shared by every process using this log (waits for it).
    func lock() throws(Journal.Failure) {
        while flock(descriptor, LOCK_EX) != 0 {
            if errno != EINTR { throw Self.failure("flock", path: path) }
        }
    }

    func unlock() { _ = flock(descriptor, LOCK_UN) }

    func size() throws(Journal.Failure) -> Int64 {
        var status = stat()
        guard fstat(descriptor, &status) == 0 else { throw Self.failure("fstat", path: path) }
        return Int64(status.st_size)
    }

    /// The generation in the header, or nil when the file holds no whole header (new, or a
    /// creation cut short). - Throws: when the header is not a polypipe journal log's.
    func generation() throws(Journal.Failure) -> UInt64? {
        let header = try read(from: 0, to: Self.headerSize)
        guard header.count == Int(Self.headerSize) else { return nil }
        guard Array(header[0..<8]) == Self.magic else {
            throw Journal.Failure(description: "journal log \(path): not a polypipe journal log (bad magic)")
        }
        return header[8..<16].reversed().reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
    }

    /// Empties the log and starts `generation`. Only when every frame in it is applied.
    func reset(generation: UInt64) throws(Journal.Failure) {
        guard ftruncate(descriptor, 0) == 0 else { throw Self.failure("ftruncate", path: path) }
        var header = Self.magic
        withUnsafeBytes(of: generation.littleEndian) { header.append(contentsOf: $0) }
        try append(header, replacingFrom: 0)
        if syncEachAppend { try syncDirectory() }
    }

    /// Appends `bytes` with one `write(2)`. On failure the file is cut back to `end` (its size
    /// before), so a half-written frame never precedes a later one.
    func append(_ bytes: [UInt8], replacingFrom end: Int64) throws(Journal.Failure) {
        let written = bytes.withUnsafeBytes { buffer in
            var result: Int
            repeat { result = write(descriptor, buffer.baseAddress, buffer.count) } while result < 0 && errno == EINTR
            return result
        }
        guard written == bytes.count else {
            let failure = written < 0 ? Self.failure("write", path: path)
                : Journal.Failure(description: "journal log \(path): write(2) wrote \(written) of \(bytes.count) bytes (disk full?)")
            _ = ftruncate(descriptor, off_t(end))
            throw failure
        }
        if syncEachAppend && fdatasync(descriptor) != 0 { throw Self.failure("fdatasync", path: path) }
    }

    /// Bytes `[from, to)` (fewer if the file is shorter).
    func read(from start: Int64, to end: Int64) throws(Journal.Failure) -> [UInt8] {
        guard end > start else { return [] }
        var bytes = [UInt8](repeating: 0, count: Int(end - start))
        var filled = 0
        while filled < bytes.count {
            let count = bytes.withUnsafeMutableBytes { buffer in
                pread(descriptor, buffer.baseAddress! + filled, buffer.count - filled, off_t(start) + off_t(filled))
            }
            if count < 0 && errno == EINTR { continue }
            if count < 0 { throw Self.failure("pread", path: path) }
            if count == 0 { break }
            filled += count
        }
        return Array(bytes[0..<filled])
    }

    /// Drops everything from `offset` on (a torn tail).
    func truncate(to offset: Int64) throws(Journal.Failure) {
        guard ftruncate(descriptor, off_t(offset)) == 0 else { throw Self.failure("ftruncate", path: path) }
        if syncEachAppend && fdatasync(descriptor) != 0 { throw Self.failure("fdatasync", path: path) }
    }

    // MARK: Frames

    /// `change` framed: length, checksum, payload — ready for one ``append(_:replacingFrom:)``.
    static func frame(_ change: JournalChange) -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: frameHeaderSize)
        bytes.reserveCapacity(1_536)
        change.encode(into: &bytes)
        let payloadLength = UInt32(bytes.count - frameHeaderSize)
        let checksum = bytes.withUnsafeBytes { CRC32C.checksum(UnsafeRawBufferPointer(rebasing: $0[frameHeaderSize...])) }
        for shift in 0..<4 {
            bytes[shift] = UInt8(truncatingIfNeeded: payloadLength >> (8 * shift))
            bytes[4 + shift] = UInt8(truncatingIfNeeded: checksum >> (8 * shift))
        }
        return bytes
    }

    /// What a stretch of the log holds.
    struct Scan {
        /// Each whole change, with the file offset just past its frame.
        var changes: [(end: Int64, change: JournalChange)] = []
        /// The offset just past the last whole frame.
        var validEnd: Int64
        /// Bytes after ``validEnd`` that are a torn tail (0: none).
        var tornBytes: Int64 = 0
    }

    /// Parses `bytes`, read from the log at `offset` (a frame boundary), up to the end of file.
    /// - Throws: ``Journal/Failure`` for damage that is not a torn tail: a bad frame with more
    ///   data after it, or a whole frame whose change cannot be decoded.
    static func scan(_ bytes: [UInt8], startingAt offset: Int64, path: String) throws(Journal.Failure) -> Scan {
        var scan = Scan(validEnd: offset)
        var position = 0
        while position < bytes.count {
            let remaining = bytes.count - position
            func little(_ at: Int) -> UInt32 { (0..<4).reduce(UInt32(0)) { $0 | UInt32(bytes[at + $1]) << (8 * $1) } }
            func torn() -> Scan {
                var torn = scan
                torn.tornBytes = Int64(remaining)
                return torn
            }
            func damaged(_ what: String) -> Journal.Failure {
                Journal.Failure(description: "journal log \(path): \(what) at offset \(offset + Int64(position)), with more data after it; refusing to guess (check the venue before moving the log aside)")
            }
            // A write cut short leaves a *prefix* of one frame: too short for a header, or a
            // frame that runs past the end of the file. Pages never written before a power loss
            // read as zeros. Anything else that does not check out is damage.
            guard remaining >= frameHeaderSize else { return torn() }
            let zerosFromHere = bytes[position...].allSatisfy { $0 == 0 }
            let length = Int(little(position))
            guard length > 0 && length <= maxPayload else {
                if zerosFromHere { return torn() }
                throw damaged("impossible frame length \(length)")
            }
            let frameEnd = position + frameHeaderSize + length
            guard frameEnd <= bytes.count else { return torn() }
            let intact = bytes.withUnsafeBytes {
                CRC32C.checksum(UnsafeRawBufferPointer(rebasing: $0[(position + frameHeaderSize)..<frameEnd])) == little(position + 4)
            }
            guard intact else {
                if frameEnd == bytes.count || zerosFromHere { return torn() }
                throw damaged("frame checksum mismatch")
            }
            guard let change = JournalChange.decode(bytes[(position + frameHeaderSize)..<frameEnd]) else {
                throw Journal.Failure(description: "journal log \(path): undecodable change at offset \(offset + Int64(position)) (written by a newer polypipe?)")
            }
            position = frameEnd
            scan.validEnd = offset + Int64(position)
            scan.changes.append((scan.validEnd, change))
        }
        return scan
    }

    private func syncDirectory() throws(Journal.Failure) {
        let directory = (path as NSString).deletingLastPathComponent
        let handle = open(directory.isEmpty ? "." : directory, O_RDONLY | O_CLOEXEC)
        guard handle >= 0 else { throw Self.failure("open", path: directory) }
        defer { close(handle) }
        if fsync(handle) != 0 { throw Self.failure("fsync", path: directory) }
    }

    private static func failure(_ function: String, path: String) -> Journal.Failure {
        let code = errno
        return Journal.Failure(description: "journal log \(path): \(function) failed: \(String(cString: strerror(code))) (errno \(code))")
    }
}
