import ArgumentParser
#if canImport(Glibc)
import Glibc
#endif
import Bus

/// One control command carried out: find the stack, send the `ControlRequest` to exec-proc's
/// control socket, print the reply, and exit with the status ``ControlExitStatus`` documents.
struct ControlCall {
    let options: ControlOptions
    let command: Polypipe_Bus_V1_Command
    /// The command's name as typed (`reduce-only`), for messages and the default reason.
    let name: String
    /// Sets the command's own fields (an order id, a market) on the request.
    var fields: (inout Polypipe_Bus_V1_ControlRequest) -> Void = { _ in }

    func run() throws {
        let runtime: String
        do { runtime = try Self.resolveRuntimeDirectory(options.runtimeDir) } catch { throw failure(error.description, status: 2) }
        let layout = BusLayout(runtimeDirectory: runtime)
        let socketPath = String(layout.control.dropFirst("ipc://".count))
        var info = stat()
        guard stat(socketPath, &info) == 0 else {
            throw failure("exec-proc is not running: no control socket at \(socketPath)", status: 2)
        }

        var request = Polypipe_Bus_V1_ControlRequest()
        request.command = command
        request.reason = options.reason ?? "polypipe \(name)"
        fields(&request)
        let reply: Polypipe_Bus_V1_ControlReply
        do {
            let client = RequestClient(context: try ZmqContext(), endpoint: layout.control)
            reply = try client.call(request, expecting: Polypipe_Bus_V1_ControlReply.self, timeoutMilliseconds: options.timeoutMilliseconds)
        } catch {
            if case .timeout(_, let milliseconds) = error {
                throw failure("exec-proc did not answer within \(milliseconds) ms on \(layout.control) (is it running? try a larger --timeout-ms)", status: 3)
            }
            throw failure("cannot talk to exec-proc on \(layout.control): \(error)", status: 3)
        }

        ConsoleOutput.announce(options.json ? ControlReplyText.json(reply, command: name) : ControlReplyText.human(reply, command: name))
        guard reply.ok else {
            throw failure("exec-proc refused \(name): \(reply.error.isEmpty ? "no reason given" : reply.error)", status: 1)
        }
    }

    /// `--runtime-dir`, else the stack `polypipe up` recorded, else `/run/polypipe` when a
    /// systemd-run exec-proc has its control socket there.
    static func resolveRuntimeDirectory(_ given: String?) throws(ControlError) -> String {
        if let directory = given { return directory }
        if let recorded = CurrentStackFile.standard().read() { return recorded }
        let system = "/run/polypipe"
        if access(String(BusLayout(runtimeDirectory: system).control.dropFirst("ipc://".count)), F_OK) == 0 { return system }
        throw .noStack(recordFile: CurrentStackFile.standard().path)
    }

    /// Prints `message` on stderr and returns the exit code to throw (ArgumentParser exits
    /// with it, printing nothing more).
    private func failure(_ message: String, status: Int32) -> ExitCode {
        ConsoleOutput.error("polypipe \(name): \(message)")
        return ExitCode(status)
    }
}

/// Why a control command could not reach exec-proc before sending anything.
enum ControlError: Error, CustomStringConvertible {
    case noStack(recordFile: String)

    var description: String {
        switch self {
        case .noStack(let file):
            return "no running stack found: pass --runtime-dir, or start one with `polypipe up` (which records it in \(file))"
        }
    }
}
