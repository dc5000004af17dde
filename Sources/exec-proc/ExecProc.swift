import ArgumentParser

/// `exec-proc`: Risk-check, sign and submit orders. The only process that holds the private key.
///
/// Not wired yet: this entry point only parses its options and explains itself. The process's
/// logic lands with its own issue; until then running it without `--help` exits non-zero so a
/// supervisor never mistakes it for a working component.
@main
struct ExecProc: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "exec-proc",
        abstract: "Risk-check, sign and submit orders. The only process that holds the private key.",
        discussion: "This build ships the protocol core only; exec-proc itself is not implemented yet and exits with status 2."
    )

    func run() throws {
        throw ValidationError("exec-proc is not implemented in this build (protocol core only); see --help.")
    }
}
