import ArgumentParser

/// `fill-proc`: Track order status and fills: fill latency, slippage, positions and P&L.
///
/// Not wired yet: this entry point only parses its options and explains itself. The process's
/// logic lands with its own issue; until then running it without `--help` exits non-zero so a
/// supervisor never mistakes it for a working component.
@main
struct FillProc: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fill-proc",
        abstract: "Track order status and fills: fill latency, slippage, positions and P&L.",
        discussion: "This build ships the protocol core only; fill-proc itself is not implemented yet and exits with status 2."
    )

    func run() throws {
        throw ValidationError("fill-proc is not implemented in this build (protocol core only); see --help.")
    }
}
