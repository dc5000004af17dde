#if canImport(Glibc)
import Glibc
#endif

/// The launcher's two text outputs (also used by the control commands). stdout carries the few lines a script may wait for
/// (`runtime dir: …`, `stack ready`); stderr carries the launcher's log and every child line,
/// prefixed with `[name] `. Both are flushed per line so a reader sees each line as it happens.
enum ConsoleOutput {
    /// One announcement line on stdout.
    static func announce(_ line: String) {
        write(line + "\n", to: STDOUT_FILENO)
    }

    /// One line a child printed, on stderr, as `[name] line`.
    static func childLine(_ name: String, _ line: String) {
        write("[\(name)] \(line)\n", to: STDERR_FILENO)
    }

    /// One message line on stderr.
    static func error(_ line: String) {
        write(line + "\n", to: STDERR_FILENO)
    }

    /// Writes all of `text` with write(2), unbuffered, so it cannot reorder with swift-log's
    /// stderr stream (which flushes after every line). A closed pipe (EPIPE, SIGPIPE ignored)
    /// drops the text.
    static func write(_ text: String, to descriptor: Int32) {
        let bytes = Array(text.utf8)
        var offset = 0
        while offset < bytes.count {
            let written = bytes[offset...].withUnsafeBytes { Glibc.write(descriptor, $0.baseAddress, $0.count) }
            if written > 0 { offset += written } else if written < 0 && errno == EINTR { continue } else { return }
        }
    }
}
