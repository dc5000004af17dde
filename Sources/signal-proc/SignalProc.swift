import ArgumentParser

/// `signal-proc`: The strategy: market data in, BUY/SELL actions out on the bus (HOLD is silence).
///
/// Not wired yet: this entry point only parses its options and explains itself. The process's
/// logic lands with its own issue; until then running it without `--help` exits non-zero so a
/// supervisor never mistakes it for a working component.
@main
struct SignalProc: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "signal-proc",
        abstract: "The strategy: market data in, BUY/SELL actions out on the bus (HOLD is silence).",
        discussion: "This build ships the protocol core only; signal-proc itself is not implemented yet and exits with status 2."
    )

    func run() throws {
        throw ValidationError("signal-proc is not implemented in this build (protocol core only); see --help.")
    }
}
