import ArgumentParser

/// `recon-proc`: Compare expected positions with actual ones and with the venue; raise alarms, halt trading.
///
/// Not wired yet: this entry point only parses its options and explains itself. The process's
/// logic lands with its own issue; until then running it without `--help` exits non-zero so a
/// supervisor never mistakes it for a working component.
@main
struct ReconProc: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "recon-proc",
        abstract: "Compare expected positions with actual ones and with the venue; raise alarms, halt trading.",
        discussion: "This build ships the protocol core only; recon-proc itself is not implemented yet and exits with status 2."
    )

    func run() throws {
        throw ValidationError("recon-proc is not implemented in this build (protocol core only); see --help.")
    }
}
