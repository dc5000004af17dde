import CProcess
#if canImport(Glibc)
import Glibc
#endif

/// A child process, its stdout and stderr readable through pipes.
///
/// How the child is set up, and why:
/// - the executable is an absolute path and `argv` is given in full: no `$PATH` search, no shell;
/// - the environment is exactly the ``ChildEnvironment`` passed in (plus the ``SecretVariable``
///   for the one child that may hold the key): nothing is inherited implicitly;
/// - stdin is `/dev/null`; stdout and stderr are pipes whose read ends stay in the parent
///   (non-blocking, close-on-exec, so no other child inherits them); no other descriptor is
///   inherited, close-on-exec or not (whatever the parent's own parent left it);
/// - the child leads its own process group (`POSIX_SPAWN_SETPGROUP`), so a terminal's Ctrl-C
///   reaches the supervisor alone, which then stops the children in its own order, and a
///   signal to the group also reaches anything the child started;
/// - the signal mask is emptied and the common signals are reset to their default action, since
///   the supervisor blocks SIGINT/SIGTERM/SIGHUP and ignores SIGPIPE for itself;
/// - it gets SIGTERM when the thread that spawned it dies (`PR_SET_PDEATHSIG`): a supervisor
///   killed with SIGKILL leaves no orphan running — no exec-proc trading on with nobody to stop
///   it (exec-proc cancels its orders on SIGTERM). Spawn from a thread that lives as long as
///   the supervisor (`polypipe up` spawns from its main thread).
///
/// Started with fork and execve (``polypipe_spawn``, C): `posix_spawn` cannot ask for a
/// parent-death signal.
/// Not thread-safe: one supervisor thread owns it. Whoever reaps the pid (`waitpid`) calls
/// ``closePipes()`` once the remaining output is read.
public final class SpawnedProcess {
    public let pid: pid_t
    /// Read ends of the child's stdout and stderr (-1 once closed).
    public private(set) var stdoutDescriptor: Int32
    public private(set) var stderrDescriptor: Int32

    private init(pid: pid_t, stdout: Int32, stderr: Int32) {
        self.pid = pid
        self.stdoutDescriptor = stdout
        self.stderrDescriptor = stderr
    }

    deinit { closePipes() }

    /// Starts `executable` with `arguments` (argv[1...]) and exactly `environment`.
    /// - Parameter secret: an extra `NAME=value` entry for this child only (the signer's key).
    /// - Throws: ``ProcessError``.
    public static func spawn(executable: String, arguments: [String], environment: ChildEnvironment,
                             secret: SecretVariable? = nil) throws(ProcessError) -> SpawnedProcess {
        guard access(executable, X_OK) == 0 else {
            throw .notExecutable(path: executable, reason: String(cString: strerror(errno)))
        }
        let stdoutPipe = try makePipe()
        let stderrPipe: (read: Int32, write: Int32)
        do { stderrPipe = try makePipe() } catch {
            Glibc.close(stdoutPipe.read); Glibc.close(stdoutPipe.write)
            throw error
        }
        defer {
            Glibc.close(stdoutPipe.write)
            Glibc.close(stderrPipe.write)
        }

        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        var envp = environment.entries.map { strdup($0) }
        defer {
            for pointer in argv { free(pointer) }
            for pointer in envp { free(pointer) }
        }

        let pid: pid_t
        if let secret {
            pid = secret.withEntry { entry in
                envp.append(entry)
                defer { envp.removeLast() }  // the secret buffer is zeroed and freed by withEntry
                return polypipe_spawn(executable, argv, envp + [nil], stdoutPipe.write, stderrPipe.write, SIGTERM)
            }
        } else {
            pid = polypipe_spawn(executable, argv, envp + [nil], stdoutPipe.write, stderrPipe.write, SIGTERM)
        }
        guard pid > 0 else {
            Glibc.close(stdoutPipe.read); Glibc.close(stderrPipe.read)
            throw .system(function: "fork(\(executable))", errno: -pid, message: String(cString: strerror(-pid)))
        }
        return SpawnedProcess(pid: pid, stdout: stdoutPipe.read, stderr: stderrPipe.read)
    }

    /// Sends `signal` to the child's whole process group (the child and anything it started).
    /// - Returns: false when no such group remains (ESRCH).
    @discardableResult
    public func signalGroup(_ signal: Int32) -> Bool {
        kill(-pid, signal) == 0
    }

    /// Reads what is available on `descriptor` without blocking.
    /// - Returns: the bytes (empty when nothing is waiting), or nil at end of file / error, after
    ///   which the descriptor should be closed with ``close(descriptor:)``.
    public func readAvailable(_ descriptor: Int32) -> [UInt8]? {
        var buffer = [UInt8](repeating: 0, count: 65_536)
        while true {
            let count = buffer.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
            if count > 0 { return Array(buffer[..<count]) }
            if count == 0 { return nil }
            if errno == EINTR { continue }
            return errno == EAGAIN || errno == EWOULDBLOCK ? [] : nil
        }
    }

    /// Closes one of the two pipe read ends.
    public func close(descriptor: Int32) {
        if descriptor == stdoutDescriptor, stdoutDescriptor >= 0 { Glibc.close(stdoutDescriptor); stdoutDescriptor = -1 }
        if descriptor == stderrDescriptor, stderrDescriptor >= 0 { Glibc.close(stderrDescriptor); stderrDescriptor = -1 }
    }

    /// Closes both read ends (idempotent).
    public func closePipes() {
        close(descriptor: stdoutDescriptor)
        close(descriptor: stderrDescriptor)
    }

    /// A pipe with both ends close-on-exec and the read end non-blocking. (`pipe2` is a GNU
    /// extension the Glibc module does not expose; the parent is single-threaded when it spawns,
    /// so setting the flags after `pipe` cannot race another spawn.)
    private static func makePipe() throws(ProcessError) -> (read: Int32, write: Int32) {
        var descriptors: [Int32] = [-1, -1]
        guard pipe(&descriptors) == 0 else {
            throw .system(function: "pipe", errno: errno, message: String(cString: strerror(errno)))
        }
        _ = fcntl(descriptors[0], F_SETFD, FD_CLOEXEC)
        _ = fcntl(descriptors[1], F_SETFD, FD_CLOEXEC)
        _ = fcntl(descriptors[0], F_SETFL, fcntl(descriptors[0], F_GETFL) | O_NONBLOCK)
        return (descriptors[0], descriptors[1])
    }
}
