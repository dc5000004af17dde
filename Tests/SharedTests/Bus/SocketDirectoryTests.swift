#if canImport(Glibc)
import Glibc
#endif
import Testing
import Bus

/// The rules a socket directory must meet before anything binds in it.
@Suite struct SocketDirectoryTests {
    func scratch() throws -> String {
        var template = Array("/tmp/polypipe-sockdir-XXXXXX".utf8CString)
        let made = template.withUnsafeMutableBufferPointer { mkdtemp($0.baseAddress!) }
        try #require(made != nil)
        return String(cString: template)
    }

    @Test func aNewDirectoryIsCreatedClosedToGroupWrites() throws {
        let root = try scratch()
        let path = root + "/exec"
        _ = try SocketDirectory(path)
        var info = stat()
        #expect(stat(path, &info) == 0 && info.st_mode & 0o777 == 0o750)
    }

    @Test func aDirectoryOthersCanWriteIsRefused() throws {
        let path = try scratch()
        chmod(path, 0o770)
        #expect(throws: BusError.self) { try SocketDirectory(path) }
    }

    /// A directory of another (non-root) user is refused: that user could replace sockets in
    /// it. (A root-owned parent, as systemd makes `/run/polypipe`, is trusted; the systemd test
    /// exercises that with the units' own users.) Needs root to hand the directory to another uid.
    @Test(.enabled(if: geteuid() == 0, "needs root to chown a directory"))
    func aDirectoryOfAnotherUserIsRefused() throws {
        let path = try scratch()
        chmod(path, 0o755)
        #expect(chown(path, 4_321, 4_321) == 0)
        #expect(throws: BusError.self) { try SocketDirectory(path) }
    }
}
