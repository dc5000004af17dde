import ArgumentParser

/// The five operator commands on exec-proc's control socket. Each sends one `ControlRequest`
/// and prints the `ControlReply` (see ``ControlCall``).
///
/// Exit status (all five): 0 when exec-proc answered ok; 1 when it answered but refused (the
/// reply's error is printed); 2 when no running stack was found; 3 when exec-proc did not
/// answer in time.
enum ControlExitStatus {
    static let discussion = """
    Exit status: 0 when exec-proc answered ok; 1 when it answered but refused (its error is \
    printed); 2 when no running stack was found (no runtime directory or no control socket); \
    3 when exec-proc did not answer within --timeout-ms.
    """
}

/// `polypipe status`: exec-proc's state, counters and exposure.
struct Status: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Show exec-proc's trading state, mode, venue heartbeat, signer, counters and exposure.",
        discussion: ControlExitStatus.discussion
    )
    @OptionGroup var options: ControlOptions
    func run() throws { try ControlCall(options: options, command: .status, name: "status").run() }
}

/// `polypipe halt`: no new orders; cancels still go out.
struct Halt: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "halt",
        abstract: "Halt trading: exec-proc refuses every new order (cancels still go out) until `resume`.",
        discussion: "Open orders stay on the book; add `polypipe cancel-all` to pull them.\n\n" + ControlExitStatus.discussion
    )
    @OptionGroup var options: ControlOptions
    func run() throws { try ControlCall(options: options, command: .halt, name: "halt").run() }
}

/// `polypipe resume`: back to normal trading after a halt or reduce-only.
struct Resume: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "resume",
        abstract: "Resume normal trading after `halt` or `reduce-only`.",
        discussion: ControlExitStatus.discussion
    )
    @OptionGroup var options: ControlOptions
    func run() throws { try ControlCall(options: options, command: .resume, name: "resume").run() }
}

/// `polypipe reduce-only`: only orders that reduce exposure.
struct ReduceOnly: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reduce-only",
        abstract: "Let exec-proc accept only orders that reduce exposure, until `resume`.",
        discussion: ControlExitStatus.discussion
    )
    @OptionGroup var options: ControlOptions
    func run() throws { try ControlCall(options: options, command: .reduceOnly, name: "reduce-only").run() }
}

/// `polypipe cancel-all`: cancel every open order at the venue.
struct CancelAll: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cancel-all",
        abstract: "Cancel every open order at the venue and list what was and was not cancelled.",
        discussion: "Trading is not halted by this; combine with `polypipe halt` to stop new orders.\n\n" + ControlExitStatus.discussion
    )
    @OptionGroup var options: ControlOptions
    func run() throws { try ControlCall(options: options, command: .cancelAll, name: "cancel-all").run() }
}
