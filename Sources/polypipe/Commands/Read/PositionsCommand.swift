import ArgumentParser
import Bus
import PolypipeCore

/// `polypipe positions`: fill-proc's positions and their P&L.
struct PositionsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "positions",
        abstract: "List positions (size, average price, realized/unrealized P&L, fees) from fill-proc.",
        discussion: """
        Asks fill-proc (<runtime>/fill/snapshot.sock) for its state: one line per outcome token \
        held or traded, from our fills (a voided fill is taken back out). Unrealized P&L is \
        marked to the book mid (MARK); "-" when fill-proc has no mark.

        --json prints one object: {"as_of_ms", "realized_pnl_micros", "realized_pnl", \
        "positions": [{"market", "token_id", "size_micros", "size", "confirmed_size_micros", \
        "average_price_micros", "average_price", "mark_price_micros" (null when no mark), \
        "realized_pnl_micros", "realized_pnl", "unrealized_pnl_micros", "unrealized_pnl", \
        "fees_micros", "fees", "fills", "resolved", "last_activity_ms"}]}; amounts in \
        micro-units and as exact decimal text.

        Exit status: 0 printed; 2 fill-proc is not running or did not answer.
        """
    )

    @Option(help: ArgumentHelp("The stack's runtime directory. Default: the stack `polypipe up` recorded, else /run/polypipe.", valueName: "path"))
    var runtimeDir: String?

    @Option(name: .customLong("timeout-ms"), help: ArgumentHelp("How long to wait for fill-proc's answer, in milliseconds.", valueName: "milliseconds"))
    var timeoutMilliseconds: Int32 = 3_000

    @Flag(help: "Print one JSON object (keys above).")
    var json = false

    func validate() throws {
        guard timeoutMilliseconds > 0 else { throw ValidationError("--timeout-ms must be a positive number of milliseconds.") }
    }

    func run() throws {
        do {
            let runtime = try ControlCall.resolveRuntimeDirectory(runtimeDir)
            let state = try SnapshotQuery.ask("fill-proc", endpoint: BusLayout(runtimeDirectory: runtime).fillSnapshot,
                                              expecting: Polypipe_Bus_V1_FillState.self, context: try ZmqContext(),
                                              timeoutMilliseconds: timeoutMilliseconds).get()
            print(json ? PositionsText.json(state) : PositionsText.table(state))
        } catch {
            ConsoleOutput.error("polypipe positions: \(error)")
            throw ExitCode(2)
        }
    }
}

/// How `polypipe positions` prints.
enum PositionsText {
    static func table(_ state: Polypipe_Bus_V1_FillState) -> String {
        let total = "realized P&L  \(SignedMicros.format(state.realizedPnlMicros))"
        guard !state.positions.isEmpty else { return "no positions\n" + total }
        var table = TextTable([.left("MARKET"), .left("TOKEN"), .right("SIZE"), .right("AVG PRICE"), .right("MARK"), .right("REALIZED"),
                               .right("UNREALIZED"), .right("FEES"), .right("FILLS"), .left("STATUS")])
        for position in state.positions {
            let mark = position.markPriceMicros > 0 ? MicroUnits.format(position.markPriceMicros, minimumDecimals: 2) : "-"
            table.add([position.market, position.tokenID, SignedMicros.format(position.sizeMicros),
                       MicroUnits.format(position.averagePriceMicros, minimumDecimals: 2), mark,
                       SignedMicros.format(position.realizedPnlMicros), SignedMicros.format(position.unrealizedPnlMicros),
                       MicroUnits.format(position.feesMicros, minimumDecimals: 2), "\(position.fillCount)",
                       position.resolved ? "resolved" : (position.confirmedSizeMicros == position.sizeMicros ? "settled" : "settling")])
        }
        return table.text + "\n" + total
    }

    static func json(_ state: Polypipe_Bus_V1_FillState) -> String {
        func unsigned(_ name: String, _ micros: UInt64) -> [(key: String, value: JSONValue)] {
            [(name + "_micros", .number("\(micros)")), (name, .string(MicroUnits.format(micros)))]
        }
        func signed(_ name: String, _ micros: Int64) -> [(key: String, value: JSONValue)] {
            [(name + "_micros", .number("\(micros)")), (name, .string(SignedMicros.format(micros)))]
        }
        let positions: [JSONValue] = state.positions.map { position in
            var members: [(key: String, value: JSONValue)] = [("market", .string(position.market)), ("token_id", .string(position.tokenID))]
            members += signed("size", position.sizeMicros)
            members.append(("confirmed_size_micros", .number("\(position.confirmedSizeMicros)")))
            members += unsigned("average_price", position.averagePriceMicros)
            members.append(("mark_price_micros", position.markPriceMicros > 0 ? .number("\(position.markPriceMicros)") : .null))
            members += signed("realized_pnl", position.realizedPnlMicros)
            members += signed("unrealized_pnl", position.unrealizedPnlMicros)
            members += unsigned("fees", position.feesMicros)
            members += [("fills", .number("\(position.fillCount)")), ("resolved", .bool(position.resolved)),
                        ("last_activity_ms", .number("\(position.lastActivityMs)"))]
            return .object(members)
        }
        var members: [(key: String, value: JSONValue)] = [("as_of_ms", .number("\(state.asOfMs)"))]
        members += signed("realized_pnl", state.realizedPnlMicros)
        members.append(("positions", .array(positions)))
        return JSONWriter.serialize(.object(members))
    }
}
