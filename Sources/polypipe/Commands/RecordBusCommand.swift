import ArgumentParser
import Bus
import Foundation
import Logging
import PolypipeRuntime

/// `polypipe record-bus`: everything a running stack publishes, to a file.
struct RecordBusCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "record-bus",
        abstract: "Record a running stack's bus (actions, order events, fills, positions, alarms, recon reports) to a JSON-lines file.",
        discussion: """
        Subscribes to every publisher of the stack — exec-proc's events, signal-proc's actions, \
        fill-proc's fills and positions, recon-proc's alarms and reports — and writes each \
        message with the time it arrived. It only listens: nothing is sent to the stack, and no \
        bus message carries a key. `polypipe up --record-bus FILE` does the same for the \
        whole of an `up` run.

        The file (never overwritten) is one header line, then one message per line: {"t": \
        receive unix ms, "publisher": exec|signal|fill|recon, "topic", "source", "epoch", \
        "seq", "sent_ns", "data": the message in the bus schema's JSON}. A topic this build does \
        not know is kept as "payload_base64".

        Stops after --duration seconds, or on Ctrl-C / SIGTERM; the file is flushed and complete \
        either way. Prints one summary line (messages by topic, bytes).

        Exit status: 0 recorded; 2 a bad option or an unwritable file.
        """
    )

    @Option(help: ArgumentHelp(
        "The stack's runtime directory. Default: the stack `polypipe up` recorded, else /run/polypipe under systemd.",
        valueName: "path"))
    var runtimeDir: String?

    @Option(help: ArgumentHelp("The file to write (must not exist).", valueName: "path"))
    var out: String

    @Option(help: ArgumentHelp("Stop after this many seconds (default: until Ctrl-C).", valueName: "seconds"))
    var duration: Double?

    func validate() throws {
        if let duration, !(duration > 0) { throw ValidationError("--duration must be a positive number of seconds.") }
    }

    func run() throws {
        let directory: String
        do { directory = try ControlCall.resolveRuntimeDirectory(runtimeDir) } catch {
            ConsoleOutput.error("polypipe record-bus: \(error)")
            throw ExitCode(2)
        }
        var logger = Logger(label: "polypipe.record-bus")
        logger.logLevel = .notice
        let recorder: BusRecorder
        do { recorder = try BusRecorder(layout: BusLayout(runtimeDirectory: directory), path: out, logger: logger) } catch {
            ConsoleOutput.error("polypipe record-bus: \(error)")
            throw ExitCode(2)
        }
        StopSignals.install()
        recorder.start()
        let started = Date()
        while !StopSignals.requested.load(ordering: .acquiring) {
            if let duration, Date().timeIntervalSince(started) >= duration { break }
            usleep(50_000)
        }
        do { print(try recorder.stop().text) } catch {
            ConsoleOutput.error("polypipe record-bus: \(error)")
            throw ExitCode(2)
        }
    }
}
