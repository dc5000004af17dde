#if canImport(Glibc)
import Glibc
#endif

/// Where the children's executables are: next to the running `polypipe` (the same build
/// directory), unless `--bin-dir` says otherwise or `--child-command` names one directly.
enum ExecutableLocator {
    /// The directory of this process's executable (`/proc/self/exe`), or nil if unreadable.
    static func ownDirectory() -> String? {
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        let count = readlink("/proc/self/exe", &buffer, buffer.count - 1)
        guard count > 0 else { return nil }
        let path = String(decoding: buffer[..<count].map { UInt8(bitPattern: $0) }, as: UTF8.self)
        guard let slash = path.lastIndex(of: "/") else { return nil }
        return String(path[..<slash])
    }

    /// The executable for `name`: the override if any, else `directory/name`.
    static func executable(for name: String, directory: String, overrides: [String: String]) -> String {
        overrides[name] ?? "\(directory)/\(name)"
    }
}
