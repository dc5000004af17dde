import ArgumentParser
import Foundation
import Bus
import JournalStore

/// Where the read commands (`audit`, `orders`) find exec-proc's journal, and how they open it.
struct JournalOptions: ParsableArguments {
    @Option(help: ArgumentHelp(
        "exec-proc's journal (SQLite). Default: <runtime-dir>/exec/journal.sqlite, else \(JournalOptions.systemPath) (exec-proc under systemd).",
        valueName: "path"))
    var journal: String?

    @Option(help: ArgumentHelp(
        "The stack's runtime directory. Default: the stack `polypipe up` recorded in ${XDG_RUNTIME_DIR:-/tmp}/polypipe-$UID/current, else /run/polypipe.",
        valueName: "path"))
    var runtimeDir: String?

    /// exec-proc's journal under the shipped systemd unit (`StateDirectory=polypipe/exec`).
    static let systemPath = "/var/lib/polypipe/exec/journal.sqlite"

    /// The journal's path: `--journal`, else the running stack's, else the systemd one.
    /// - Throws: ``ReadCommandError/noJournal(_:)`` naming every place looked at.
    func resolvePath() throws(ReadCommandError) -> String {
        if let journal {
            guard FileManager.default.fileExists(atPath: journal) else { throw .noJournal(["\(journal) (--journal)"]) }
            return journal
        }
        var looked: [String] = []
        if let runtime = try? ControlCall.resolveRuntimeDirectory(runtimeDir) {
            let path = BusLayout(runtimeDirectory: runtime).execDirectory + "/journal.sqlite"
            if FileManager.default.fileExists(atPath: path) { return path }
            looked.append(path)
        }
        if FileManager.default.fileExists(atPath: Self.systemPath) { return Self.systemPath }
        looked.append(Self.systemPath)
        throw .noJournal(looked)
    }

    /// Opens the journal beside a running exec-proc (the journal supports several instances):
    /// no background threads; opening and each read apply what exec-proc logged but had not
    /// indexed yet, exactly once, as exec-proc itself would.
    func open() throws(ReadCommandError) -> Journal {
        let path = try resolvePath()
        do { return try Journal(path: path, checkpointing: .inline, indexing: .onRead) } catch {
            throw .unreadableJournal(path: path, error.description)
        }
    }
}

/// Runs a read command's body: a journal or process that cannot be read is printed as
/// `polypipe <name>: <why>` on stderr and exits 2; other exits (ExitCode) pass through.
func reportingReadFailures(_ name: String, _ body: () throws -> Void) throws {
    do { try body() } catch let error as ReadCommandError {
        ConsoleOutput.error("polypipe \(name): \(error)")
        throw ExitCode(2)
    } catch let error as Journal.Failure {
        ConsoleOutput.error("polypipe \(name): \(error)")
        throw ExitCode(2)
    }
}

/// Why a read command could not answer. Each names what was wrong and where.
enum ReadCommandError: Error, CustomStringConvertible {
    case noJournal([String])
    case unreadableJournal(path: String, String)
    case notRunning(process: String, socket: String)
    case noAnswer(process: String, socket: String, String)

    var description: String {
        switch self {
        case .noJournal(let looked):
            return "no journal found (looked at \(looked.joined(separator: ", "))): pass --journal PATH or --runtime-dir DIR"
        case .unreadableJournal(let path, let error):
            return "cannot read the journal \(path): \(error)"
        case .notRunning(let process, let socket):
            return "\(process) is not running (no socket at \(socket))"
        case .noAnswer(let process, let socket, let error):
            return "\(process) did not answer on \(socket): \(error)"
        }
    }
}
