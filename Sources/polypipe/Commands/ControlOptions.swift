import ArgumentParser

/// The flags every control command (`status`, `halt`, `resume`, `reduce-only`, `cancel-all`)
/// shares.
struct ControlOptions: ParsableArguments {
    @Option(help: ArgumentHelp(
        "The stack's runtime directory (exec-proc's control socket is DIR/control/control.sock). Default: the stack `polypipe up` recorded in ${XDG_RUNTIME_DIR:-/tmp}/polypipe-$UID/current, else /run/polypipe when exec-proc runs under systemd.",
        valueName: "path"))
    var runtimeDir: String?

    @Option(help: ArgumentHelp("Why you are doing this; written to exec-proc's audit log (default: \"polypipe <command>\").", valueName: "text"))
    var reason: String?

    @Option(name: .customLong("timeout-ms"), help: ArgumentHelp("How long to wait for exec-proc's answer, in milliseconds.", valueName: "milliseconds"))
    var timeoutMilliseconds: Int32 = 5_000

    @Flag(help: "Print the reply as one JSON object (snake_case fields; amounts in micro-units and as exact decimal text).")
    var json = false

    func validate() throws {
        guard timeoutMilliseconds > 0 else { throw ValidationError("--timeout-ms must be a positive number of milliseconds.") }
    }
}
