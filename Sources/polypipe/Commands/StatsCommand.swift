import ArgumentParser
import Foundation
import SwiftProtobuf
import Bus
import Dashboard
import Fills
import PolypipeCore

/// `polypipe stats`: the execution statistics of the running stack, from fill-proc, and
/// recon-proc's latest reconciliation.
struct StatsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "stats",
        abstract: "Print execution statistics (fills, latency, slippage, P&L) and the reconciliation state.",
        discussion: """
        Asks fill-proc (<runtime>/fill/snapshot.sock) for its state: total orders, fills and \
        fill rate, fill latency (order sent -> first match) average and p50/p95/p99, average \
        slippage against each action's expected price (positive = worse for us), realized and \
        unrealized P&L, fees, active positions and one line per asset. Then asks recon-proc \
        (<runtime>/recon/snapshot.sock) for its last cycle: in sync, or the active alarms.

        Exit status: 0 in sync (or recon-proc not running), 1 when recon-proc reports an active \
        alarm, 2 when fill-proc cannot be reached.
        """
    )

    @Option(help: ArgumentHelp("The stack's runtime directory. Default: the stack `polypipe up` recorded, else /run/polypipe.", valueName: "path"))
    var runtimeDir: String?

    @Flag(help: "Print one JSON object: {\"execution\": ExecutionStats, \"reconciliation\": {...}}.")
    var json = false

    @Option(name: .customLong("timeout-ms"), help: ArgumentHelp("How long to wait for each answer, in milliseconds.", valueName: "milliseconds"))
    var timeoutMilliseconds: Int32 = 3_000

    func run() throws {
        let runtime: String
        do { runtime = try ControlCall.resolveRuntimeDirectory(runtimeDir) } catch {
            ConsoleOutput.error("polypipe stats: \(error)")
            throw ExitCode(2)
        }
        let report = StackReport.fetch(BusLayout(runtimeDirectory: runtime), timeoutMilliseconds: timeoutMilliseconds)
        guard report.execution != nil else {
            ConsoleOutput.error("polypipe stats: \(report.problems.joined(separator: "; "))")
            throw ExitCode(2)
        }
        print(json ? report.json : report.text)
        if report.reconciliation.map({ !$0.inSync }) == true { throw ExitCode(1) }
    }
}

/// What fill-proc and recon-proc say about the stack: the block `polypipe stats` and the end of
/// `polypipe up` print.
struct StackReport {
    var execution: ExecutionStats?
    /// Per-stage latency, from exec-proc's order events and fill-proc's fills (``DashboardModel``).
    var stages: [DashboardModel.StageLatency] = []
    var reconciliation: Polypipe_Bus_V1_ReconReport?
    var problems: [String] = []

    static func fetch(_ layout: BusLayout, timeoutMilliseconds: Int32) -> StackReport {
        var report = StackReport()
        let context: ZmqContext
        do { context = try ZmqContext() } catch {
            report.problems.append("cannot open a bus context: \(error)")
            return report
        }
        /// One snapshot request; nil (and a problem noted) when nobody answers.
        func ask<Reply: SwiftProtobuf.Message>(_ process: String, _ endpoint: String, _ type: Reply.Type) -> Reply? {
            switch SnapshotQuery.ask(process, endpoint: endpoint, expecting: type, context: context, timeoutMilliseconds: timeoutMilliseconds) {
            case .success(let reply): return reply
            case .failure(let problem):
                report.problems.append(problem.description)
                return nil
            }
        }
        var model = DashboardModel()
        if let exec = ask("exec-proc", layout.snapshot, Polypipe_Bus_V1_Snapshot.self) {
            for event in exec.orders { model.apply(order: event, at: 0) }
        }
        if let state = ask("fill-proc", layout.fillSnapshot, Polypipe_Bus_V1_FillState.self) {
            do { report.execution = try JSONDecoder().decode(ExecutionStats.self, from: Data(state.statsJson.utf8)) } catch {
                report.problems.append("fill-proc's statistics are unreadable: \(error)")
            }
            for fill in state.fills { model.apply(fill: fill) }
        }
        report.stages = model.stageLatencies
        report.reconciliation = ask("recon-proc", layout.reconSnapshot, Polypipe_Bus_V1_ReconReport.self)
        return report
    }

    var text: String {
        var lines: [String] = []
        if let execution { lines.append(execution.text) }
        if stages.contains(where: { $0.count > 0 }) {
            lines.append("Latency per stage (p50 / p95 / p99)")
            for stage in stages where stage.count > 0 {
                let name = stage.stage.rawValue.padding(toLength: 12, withPad: " ", startingAt: 0)
                lines.append("  \(name)n \(stage.count)  \(stage.p50 ?? "-") / \(stage.p95 ?? "-") / \(stage.p99 ?? "-")")
            }
        }
        lines.append("Reconciliation")
        if let reconciliation {
            let state = reconciliation.inSync ? "in sync" : "\(reconciliation.active.count) active alarm(s)"
            lines.append("  state             \(state) (cycle \(reconciliation.cycle), \(reconciliation.positionsCompared) positions compared)")
            lines.append("  alarms            raised \(reconciliation.alarmsRaised), cleared \(reconciliation.alarmsCleared)")
            for alarm in reconciliation.active {
                lines.append("  ALARM \(alarm.kind) [\(alarm.severity)] \(alarm.subject): \(alarm.detail)")
            }
        } else {
            lines.append("  not available (recon-proc not running)")
        }
        return lines.joined(separator: "\n")
    }

    var json: String {
        var members: [(key: String, value: JSONValue)] = []
        if let execution, let parsed = try? JSONParser.parse(Array(execution.json.utf8)) { members.append(("execution", parsed)) }
        if let reconciliation {
            members.append(("reconciliation", .object([
                ("in_sync", .bool(reconciliation.inSync)), ("cycle", .number(String(reconciliation.cycle))),
                ("positions_compared", .number(String(reconciliation.positionsCompared))),
                ("alarms_raised", .number(String(reconciliation.alarmsRaised))), ("alarms_cleared", .number(String(reconciliation.alarmsCleared))),
                ("active", .array(reconciliation.active.map { alarm in
                    .object([("kind", .string(alarm.kind)), ("severity", .string("\(alarm.severity)")), ("subject", .string(alarm.subject)),
                             ("detail", .string(alarm.detail))])
                })),
            ])))
        }
        return JSONWriter.serialize(.object(members))
    }
}
