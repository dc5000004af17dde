import ArgumentParser

/// `polypipe`: the operator's command line.
@main
struct Polypipe: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "polypipe",
        abstract: "Operate polypipe: sign and inspect orders, authenticate, measure.",
        discussion: """
        Keys are never taken from the command line. Signing tools read a request's own \
        private_key field or, when it is absent, the POLYMARKET_KEY environment variable, which \
        is scrubbed from the process environment as soon as it is read.
        """,
        subcommands: [SampleOrder.self, OrderCommand.self, AuthCommand.self, Bench.self, PipelineBench.self,
                      Up.self, Status.self, Halt.self, Resume.self, ReduceOnly.self, CancelAll.self, Cancel.self, StatsCommand.self,
                      AuditCommand.self, OrdersCommand.self, PositionsCommand.self, DoctorCommand.self, RecordCommand.self, RecordBusCommand.self, CompareCommand.self, DashboardCommand.self, AlertCommand.self]
    )
}
