import ArgumentParser
import JournalStore
import PolypipeCore

/// `polypipe audit`: exec-proc's signing audit log, and the check of its hash chain.
struct AuditCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "audit",
        abstract: "Print exec-proc's signing audit log, or verify its hash chain (--verify).",
        discussion: """
        Reads exec-proc's journal directly (it may be running: the journal takes a second \
        reader). Every risk and execution decision is one line: id, time (UTC), action id, \
        decision, detail. Each line is hash-chained to the one before it (SHA-256), and the \
        chain's head is kept apart from the lines, so --verify finds a changed, inserted or \
        deleted line, the last one included. It cannot find a rewrite of the whole chain by \
        someone with write access to the file: keep the printed head somewhere else and \
        compare.

        --json prints one object: {"lines": [{"id", "at_ms", "at", "action_id" (null when \
        none), "decision", "detail"}]}; with --verify: {"intact", "rows", "last_id", \
        "head_hash", "first_bad": null or {"id", "at_ms", "at", "problem", "explanation"}}.

        Exit status: 0 printed (with --verify: the chain is intact); 1 with --verify: the chain \
        is broken (the first bad line is named); 2 the journal cannot be found or read.
        """
    )

    @OptionGroup var location: JournalOptions

    @Option(help: ArgumentHelp("Only lines written at or after this time: unix milliseconds or ISO-8601 (2025-12-01T00:00:00Z).", valueName: "time"),
            transform: TimeArgument.argument)
    var since: TimeArgument?

    @Option(help: ArgumentHelp("At most this many lines: the latest ones, or with --since the earliest from then.", valueName: "count"))
    var limit: Int = 100

    @Flag(help: "Verify the hash chain instead of printing lines.")
    var verify = false

    @Flag(help: "Print one JSON object (keys above).")
    var json = false

    func validate() throws {
        guard limit > 0 else { throw ValidationError("--limit must be a positive number of lines, not \(limit).") }
        if verify && since != nil { throw ValidationError("--verify checks the whole chain; it takes no --since.") }
    }

    func run() throws {
        try reportingReadFailures("audit") {
            let journal = try location.open()
            if verify {
                let verification = try journal.verifyAudit()
                let last = try verification.head.lastID.flatMap { _ in try journal.auditTrail(last: 1).last }
                print(json ? AuditText.verificationJSON(verification) : AuditText.verificationLine(verification, lastLine: last))
                if !verification.isIntact { throw ExitCode(1) }
                return
            }
            let lines = try since.map { try journal.auditTrail(sinceMillis: $0.millis, limit: limit) } ?? journal.auditTrail(last: limit)
            print(json ? AuditText.json(lines) : AuditText.table(lines))
        }
    }
}

/// How `polypipe audit` prints.
enum AuditText {
    static func table(_ lines: [Journal.AuditLine]) -> String {
        guard !lines.isEmpty else { return "no audit lines" }
        var table = TextTable([.right("ID"), .left("TIME (UTC)"), .left("ACTION"), .left("DECISION"), .left("DETAIL")])
        for line in lines {
            table.add(["\(line.id)", TimeArgument.iso(line.atMillis), line.actionID ?? "-", line.decision, line.detail])
        }
        return table.text
    }

    static func json(_ lines: [Journal.AuditLine]) -> String {
        JSONWriter.serialize(.object([("lines", .array(lines.map { line in
            .object([("id", .number("\(line.id)")), ("at_ms", .number("\(line.atMillis)")), ("at", .string(TimeArgument.iso(line.atMillis))),
                     ("action_id", line.actionID.map(JSONValue.string) ?? .null), ("decision", .string(line.decision)),
                     ("detail", .string(line.detail))])
        }))]))
    }

    /// One line: `audit chain intact: 5 rows, last row 5 at …, head 0x…`, or where it breaks.
    static func verificationLine(_ verification: Journal.AuditVerification, lastLine: Journal.AuditLine?) -> String {
        let head = verification.head
        guard let fault = verification.firstBad else {
            guard head.count > 0 else { return "audit chain intact: 0 rows" }
            let last = lastLine.map { " at \(TimeArgument.iso($0.atMillis))" } ?? ""
            return "audit chain intact: \(head.count) rows, last row \(head.lastID.map(String.init) ?? "-")\(last), head \(Hex.encode(head.hash))"
        }
        let time = fault.atMillis.map { " (\(TimeArgument.iso($0)))" } ?? ""
        return "audit chain BROKEN at row \(fault.id)\(time): \(fault.explanation)"
    }

    static func verificationJSON(_ verification: Journal.AuditVerification) -> String {
        let firstBad: JSONValue = verification.firstBad.map { fault in
            .object([("id", .number("\(fault.id)")), ("at_ms", fault.atMillis.map { JSONValue.number("\($0)") } ?? .null),
                     ("at", fault.atMillis.map { JSONValue.string(TimeArgument.iso($0)) } ?? .null), ("problem", .string(problemName(fault.problem))),
                     ("explanation", .string(fault.explanation))])
        } ?? .null
        let head = verification.head
        return JSONWriter.serialize(.object([
            ("intact", .bool(verification.isIntact)), ("rows", .number("\(head.count)")),
            ("last_id", head.lastID.map { JSONValue.number("\($0)") } ?? .null), ("head_hash", .string(Hex.encode(head.hash))),
            ("first_bad", firstBad),
        ]))
    }

    /// Stable names for scripts: changed, inserted, missing_before, missing_at_end, head_mismatch, broken_link.
    static func problemName(_ problem: AuditFault.Problem) -> String {
        switch problem {
        case .changed: "changed"
        case .inserted: "inserted"
        case .missingBefore: "missing_before"
        case .missingAtEnd: "missing_at_end"
        case .headMismatch: "head_mismatch"
        case .brokenLink: "broken_link"
        }
    }
}
