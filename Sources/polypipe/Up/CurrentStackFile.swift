#if canImport(Glibc)
import Glibc
#endif

/// A small well-known file naming the runtime directory of the stack `polypipe up` is running,
/// so that `polypipe status` (and the other control commands) work without flags.
///
/// Location: `${XDG_RUNTIME_DIR:-/tmp}/polypipe-$UID/current`, the directory mode 0700 and the
/// file 0600. In a shared `/tmp` another user could create the directory first, so an existing
/// one must belong to this user and be closed to everyone else, or it is not used.
struct CurrentStackFile {
    let directory: String
    var path: String { directory + "/current" }

    /// The location for this user, from `XDG_RUNTIME_DIR` (or `/tmp`).
    static func standard() -> CurrentStackFile {
        let base = getenv("XDG_RUNTIME_DIR").map { String(cString: $0) }.flatMap { $0.isEmpty ? nil : $0 } ?? "/tmp"
        return CurrentStackFile(directory: "\(base)/polypipe-\(getuid())")
    }

    /// Records `runtimeDirectory` as the current stack (atomically: a reader sees the old or
    /// the new path, never half of one).
    /// - Throws: ``UpError/runtimeDirectory(path:reason:)`` naming this file's directory.
    func record(_ runtimeDirectory: String) throws(UpError) {
        if mkdir(directory, 0o700) != 0 && errno != EEXIST {
            throw .runtimeDirectory(path: directory, reason: "cannot create it: \(String(cString: strerror(errno)))")
        }
        guard isPrivate else { throw .runtimeDirectory(path: directory, reason: "it is not a directory of this user closed to others; not used") }
        let temporary = "\(path).\(getpid())"
        let descriptor = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { throw .runtimeDirectory(path: temporary, reason: String(cString: strerror(errno))) }
        let bytes = Array((runtimeDirectory + "\n").utf8)
        let written = bytes.withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
        close(descriptor)
        guard written == bytes.count, rename(temporary, path) == 0 else {
            unlink(temporary)
            throw .runtimeDirectory(path: path, reason: "cannot write it: \(String(cString: strerror(errno)))")
        }
    }

    /// The recorded runtime directory, if the file exists and is safe to trust.
    func read() -> String? {
        guard isPrivate else { return nil }
        let descriptor = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)
        guard descriptor >= 0 else { return nil }
        defer { close(descriptor) }
        var buffer = [UInt8](repeating: 0, count: 4_096)
        let count = buffer.withUnsafeMutableBytes { Glibc.read(descriptor, $0.baseAddress, $0.count) }
        guard count > 0 else { return nil }
        let text = String(decoding: buffer[..<count], as: UTF8.self).trimmingWhitespace
        return text.isEmpty ? nil : text
    }

    /// Removes the file if it still names `runtimeDirectory` (a newer stack may have replaced it).
    func clear(ifNaming runtimeDirectory: String) {
        if read() == runtimeDirectory { unlink(path) }
    }

    private var isPrivate: Bool {
        var info = stat()
        guard lstat(directory, &info) == 0 else { return false }
        return info.st_mode & S_IFMT == S_IFDIR && info.st_uid == getuid() && info.st_mode & 0o077 == 0
    }
}
