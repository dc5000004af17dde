#if canImport(Glibc)
import Glibc
#endif

/// The directory holding the stack's sockets: the operator's `--runtime-dir`, or a fresh
/// temporary one that is removed when the stack stops (unless kept).
///
/// The launcher creates only this directory (mode 0700); exec-proc and signal-proc create their
/// own `exec/` and `signal/` inside it (``SocketDirectory``). An existing directory must belong
/// to this user and must not be writable by group or others: whoever can write here can replace
/// a socket and take its peers over.
struct RuntimeDirectory {
    let path: String
    /// Whether ``removeIfTemporary()`` deletes it (a temporary directory not kept).
    let isTemporary: Bool

    /// - Throws: ``UpError/runtimeDirectory(path:reason:)``.
    static func prepare(requested: String?, keep: Bool) throws(UpError) -> RuntimeDirectory {
        if let requested {
            let path = requested.count > 1 && requested.hasSuffix("/") ? String(requested.dropLast()) : requested
            if mkdir(path, 0o700) != 0 && errno != EEXIST {
                throw .runtimeDirectory(path: path, reason: "cannot create it: \(String(cString: strerror(errno)))")
            }
            try checkOwnedAndClosed(path)
            return RuntimeDirectory(path: path, isTemporary: false)
        }
        let base = getenv("TMPDIR").map { String(cString: $0) }.flatMap { $0.isEmpty ? nil : $0 } ?? "/tmp"
        var template = Array("\(base)/polypipe-up.XXXXXX".utf8CString)
        guard let created = mkdtemp(&template) else {
            throw .runtimeDirectory(path: base, reason: "cannot create a temporary directory in it: \(String(cString: strerror(errno)))")
        }
        return RuntimeDirectory(path: String(cString: created), isTemporary: !keep)
    }

    private static func checkOwnedAndClosed(_ path: String) throws(UpError) {
        var info = stat()
        guard lstat(path, &info) == 0 else { throw .runtimeDirectory(path: path, reason: String(cString: strerror(errno))) }
        guard info.st_mode & S_IFMT == S_IFDIR else { throw .runtimeDirectory(path: path, reason: "it is not a directory (a symlink is refused)") }
        guard info.st_uid == getuid() else { throw .runtimeDirectory(path: path, reason: "it belongs to uid \(info.st_uid), not to this user") }
        guard info.st_mode & 0o022 == 0 else {
            throw .runtimeDirectory(path: path, reason: "its mode is \(String(info.st_mode & 0o777, radix: 8)); group or others could replace sockets in it (chmod 700)")
        }
    }

    /// Deletes the directory and everything in it when it is a temporary one. Symlinks inside
    /// are removed, never followed.
    /// - Returns: false when something could not be removed.
    @discardableResult
    func removeIfTemporary() -> Bool {
        guard isTemporary else { return true }
        return Self.removeTree(path)
    }

    private static func removeTree(_ path: String) -> Bool {
        var info = stat()
        guard lstat(path, &info) == 0 else { return errno == ENOENT }
        guard info.st_mode & S_IFMT == S_IFDIR else { return unlink(path) == 0 }
        var removed = true
        if let directory = opendir(path) {
            var names: [String] = []
            while let entry = readdir(directory) {
                let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                    String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
                }
                if name != "." && name != ".." { names.append(name) }
            }
            closedir(directory)
            for name in names where !removeTree(path + "/" + name) { removed = false }
        }
        return rmdir(path) == 0 && removed
    }
}
