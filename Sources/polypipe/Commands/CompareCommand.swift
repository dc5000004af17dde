import ArgumentParser
import Foundation
import Fills
import PolypipeCore

/// `polypipe compare A B`: two runs side by side, from their fill stores.
struct CompareCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "compare",
        abstract: "Compare two runs (paper vs mirror, mirror vs live): orders, fill rate, slippage, fees, latency, P&L.",
        discussion: """
        Each run is a runtime directory a stack kept (`polypipe up --runtime-dir DIR`, or a \
        systemd host's /var/lib/polypipe) or a fill store file (fills.sqlite). Read offline: the \
        stacks need not be running. Figures as `polypipe stats` computes them; slippage is per \
        share against each action's expected price (positive = worse for us), its p95 by \
        nearest rank.

        Also counted: orders the venue rejected, and orders that ended cancelled or expired. \
        Actions exec-proc's risk rules refused never reached the venue and are not in a fill \
        store (its journal and a bus recording, `--record-bus`, hold them).

        --json prints {"runs": [{"label", "path", "stats": ExecutionStats, \
        "slippage_p95_micros", "rejected_orders", "cancelled_orders"}]}.

        Exit status: 0 printed; 2 a run's fill store cannot be found or read.
        """
    )

    @Argument(help: ArgumentHelp("The first run: a runtime directory or a fills.sqlite file.", valueName: "a"))
    var first: String

    @Argument(help: ArgumentHelp("The second run.", valueName: "b"))
    var second: String

    @Option(help: ArgumentHelp("Column names for the two runs, comma-separated (default: the paths' last components).", valueName: "a,b"))
    var labels: String?

    @Flag(help: "Print one JSON object (keys above).")
    var json = false

    func run() throws {
        let names = labels.map { $0.split(separator: ",", maxSplits: 1).map(String.init) } ?? []
        var runs: [(path: String, summary: RunSummary)] = []
        for (index, path) in [first, second].enumerated() {
            let store = try Self.storePath(path)
            let label = index < names.count ? names[index] : URL(fileURLWithPath: path).lastPathComponent
            do {
                runs.append((store, RunSummary(label: label, ledger: try FillStore(path: store).loadLedger())))
            } catch {
                ConsoleOutput.error("polypipe compare: cannot read \(store): \(error)")
                throw ExitCode(2)
            }
        }
        if json {
            let objects: [JSONValue] = runs.map { run in
                let stats = (try? JSONParser.parse(run.summary.stats.json)) ?? .null
                return .object([("label", .string(run.summary.label)), ("path", .string(run.path)), ("stats", stats),
                                ("slippage_p95_micros", run.summary.slippageP95Micros.map { .number("\($0)") } ?? .null),
                                ("rejected_orders", .number("\(run.summary.rejectedOrders)")),
                                ("cancelled_orders", .number("\(run.summary.cancelledOrders)"))])
            }
            print(JSONWriter.serialize(.object([("runs", .array(objects))])))
            return
        }
        var table = TextTable([.left(""), .right(runs[0].summary.label), .right(runs[1].summary.label)])
        for (row, other) in zip(runs[0].summary.rows, runs[1].summary.rows) { table.add([row.name, row.value, other.value]) }
        print(table.text)
    }

    /// A fill store file, or the one inside a runtime directory (`fill/fills.sqlite`) or a
    /// state directory (`fills.sqlite`). Never creates one.
    static func storePath(_ path: String) throws -> String {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            ConsoleOutput.error("polypipe compare: \(path) does not exist")
            throw ExitCode(2)
        }
        guard isDirectory.boolValue else { return path }
        for candidate in [path + "/fill/fills.sqlite", path + "/fills.sqlite"] where FileManager.default.fileExists(atPath: candidate) {
            return candidate
        }
        ConsoleOutput.error("polypipe compare: no fill store in \(path) (looked for fill/fills.sqlite and fills.sqlite)")
        throw ExitCode(2)
    }
}
