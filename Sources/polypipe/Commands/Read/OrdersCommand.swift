import ArgumentParser
import Bus
import JournalStore
import PolypipeCore

/// `polypipe orders`: open and recent orders, from exec-proc's journal.
struct OrdersCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "orders",
        abstract: "List open and recent orders (state, side, price, size, time) from exec-proc's journal.",
        discussion: """
        Source: exec-proc's journal, read directly (exec-proc may be running or not; the journal \
        takes a second reader). The journal holds every order exec-proc signed, before it was \
        sent, with its state as exec-proc last knew it: signed (not sent yet), accepted, \
        unknown (sent, no proof either way: exec-proc resolves it by order id), rejected, \
        canceled, filled, dry_run, absent. Side, price and size are read back from the signed \
        order itself. FILLED is fill-proc's view (shares filled by surviving fills, a partial \
        fill included), asked on <runtime>/fill/snapshot.sock; "-" when fill-proc is not \
        running or does not know the order (stderr then says why). See also `polypipe \
        positions` and `polypipe stats`.

        Listed: every order the venue may hold (signed, accepted, unknown), plus the --recent \
        latest others, oldest first.

        --json prints one object: {"orders": [{"order_id", "action_id", "market", "token_id", \
        "state", "open", "side", "order_type", "price_micros", "price", "size_micros", "size", \
        "filled_micros", "filled" (null when unknown), "created_at_ms", "created_at", "expires_at_ms", "reason"}]}; prices and sizes in \
        micro-units and as exact decimal text; a field that cannot be read is null.

        Exit status: 0 printed; 2 the journal cannot be found or read.
        """
    )

    @OptionGroup var location: JournalOptions

    @Option(help: ArgumentHelp("How many of the latest orders to list besides the open ones.", valueName: "count"))
    var recent: Int = 20

    @Option(name: .customLong("timeout-ms"), help: ArgumentHelp("How long to wait for fill-proc's filled sizes, in milliseconds.", valueName: "milliseconds"))
    var timeoutMilliseconds: Int32 = 1_000

    @Flag(help: "Print one JSON object (keys above).")
    var json = false

    func validate() throws {
        guard recent >= 0 else { throw ValidationError("--recent must be 0 or more orders, not \(recent).") }
        guard timeoutMilliseconds > 0 else { throw ValidationError("--timeout-ms must be a positive number of milliseconds.") }
    }

    func run() throws {
        try reportingReadFailures("orders") {
            let journal = try location.open()
            let open = try journal.entries(in: Journal.State.allCases.filter(\.mayBeLive))
            let filled = filledSizes()
            let rows = OrderRow.listing(open: open, latest: try journal.latestEntries(limit: recent), filled: filled)
            print(json ? OrdersText.json(rows) : OrdersText.table(rows))
        }
    }

    /// fill-proc's filled shares per order id (lower case); empty, with a note on stderr, when
    /// it cannot answer. The journal listing never waits on it for more than --timeout-ms.
    private func filledSizes() -> [String: UInt64] {
        guard let runtime = try? ControlCall.resolveRuntimeDirectory(location.runtimeDir), let context = try? ZmqContext() else { return [:] }
        switch SnapshotQuery.ask("fill-proc", endpoint: BusLayout(runtimeDirectory: runtime).fillSnapshot,
                                 expecting: Polypipe_Bus_V1_FillState.self, context: context, timeoutMilliseconds: timeoutMilliseconds) {
        case .success(let state):
            return Dictionary(state.orders.map { ($0.orderID.lowercased(), $0.matchedMicros) }, uniquingKeysWith: { first, _ in first })
        case .failure(let error):
            ConsoleOutput.error("polypipe orders: filled sizes unknown: \(error)")
            return [:]
        }
    }
}

/// How `polypipe orders` prints.
enum OrdersText {
    static func stateName(_ state: Journal.State) -> String { state == .dryRun ? "dry_run" : state.rawValue }

    static func table(_ rows: [OrderRow]) -> String {
        guard !rows.isEmpty else { return "no orders" }
        var table = TextTable([.left("CREATED (UTC)"), .left("STATE"), .left("SIDE"), .left("TYPE"), .right("PRICE"), .right("SIZE"),
                               .right("FILLED"), .left("MARKET"), .left("ACTION"), .left("ORDER"), .left("REASON")])
        for row in rows {
            table.add([TimeArgument.iso(row.entry.createdAtMillis), stateName(row.entry.state), row.side?.rawValue ?? "-",
                       row.orderType?.rawValue ?? "-", row.priceMicros.map { MicroUnits.format($0, minimumDecimals: 2) } ?? "-",
                       row.sizeMicros.map { MicroUnits.format($0, minimumDecimals: 2) } ?? "-",
                       row.filledMicros.map { MicroUnits.format($0, minimumDecimals: 2) } ?? "-", row.entry.market, row.entry.actionID,
                       row.entry.orderHash, row.entry.reason ?? ""])
        }
        return table.text
    }

    static func json(_ rows: [OrderRow]) -> String {
        func micros(_ value: UInt64?) -> JSONValue { value.map { .number("\($0)") } ?? .null }
        func decimal(_ value: UInt64?) -> JSONValue { value.map { .string(MicroUnits.format($0)) } ?? .null }
        return JSONWriter.serialize(.object([("orders", .array(rows.map { row in
            let entry = row.entry
            return .object([
                ("order_id", .string(entry.orderHash)), ("action_id", .string(entry.actionID)), ("market", .string(entry.market)),
                ("token_id", row.tokenID.map(JSONValue.string) ?? .null), ("state", .string(stateName(entry.state))),
                ("open", .bool(entry.state.mayBeLive)), ("side", row.side.map { JSONValue.string($0.rawValue) } ?? .null),
                ("order_type", row.orderType.map { JSONValue.string($0.rawValue) } ?? .null),
                ("price_micros", micros(row.priceMicros)), ("price", decimal(row.priceMicros)),
                ("size_micros", micros(row.sizeMicros)), ("size", decimal(row.sizeMicros)),
                ("filled_micros", micros(row.filledMicros)), ("filled", decimal(row.filledMicros)),
                ("created_at_ms", .number("\(entry.createdAtMillis)")), ("created_at", .string(TimeArgument.iso(entry.createdAtMillis))),
                ("expires_at_ms", entry.expiresAtMillis.map { JSONValue.number("\($0)") } ?? .null),
                ("reason", entry.reason.map(JSONValue.string) ?? .null),
            ])
        }))]))
    }
}
