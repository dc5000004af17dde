#if canImport(Glibc)
import Glibc
#endif
import Bus
import PolypipeCore

/// How a `ControlReply` is printed: aligned `label  value` lines for people, or one JSON object
/// for scripts. Money is printed exactly from micro-units (never through a binary float).
enum ControlReplyText {
    /// The readable form, e.g.
    /// ```
    /// status      ok
    /// state       halted (operator: maintenance)
    /// mode        paper
    /// venue       http://127.0.0.1:41234 (exchange version 2), heartbeat ok
    /// signer      0x70997970C51812dc3A010C7d01b50e0d17dc79C8
    /// uptime      1h 02m 03s
    /// actions     received 10, refused 1, malformed 0
    /// orders      accepted 8, rejected 1, unknown 0, open 3
    /// exposure    $12.345678
    /// daily P&L   -$0.0875 realized today (UTC, net of fees)
    /// kill switch on: a halt cancels our resting orders; 3 canceled so far
    /// ```
    static func human(_ reply: Polypipe_Bus_V1_ControlReply, command: String, nowMillis: Int64 = currentMillis()) -> String {
        var lines: [(String, String)] = [(command, reply.ok ? "ok" : "refused: \(reply.error.isEmpty ? "no reason given" : reply.error)")]
        if reply.hasStatus {
            let status = reply.status
            let state = stateName(status.state) + (status.stateReason.isEmpty ? "" : " (\(status.stateReason))")
            lines.append(("state", state))
            lines.append(("mode", status.mode.isEmpty ? "unknown" : status.mode))
            let version = status.venueVersion > 0 ? " (exchange version \(status.venueVersion))" : ""
            let heartbeat = status.venueHeartbeatOk ? "heartbeat ok" : "heartbeat NOT current: new orders are refused"
            lines.append(("venue", "\(status.venueURL.isEmpty ? "unknown" : status.venueURL)\(version), \(heartbeat)"))
            lines.append(("signer", status.signerAddress.isEmpty ? "unknown" : status.signerAddress))
            if status.startedAtMs > 0 { lines.append(("uptime", uptime(milliseconds: nowMillis - status.startedAtMs))) }
            lines.append(("actions", "received \(status.actionsReceived), refused \(status.actionsRefused), malformed \(status.malformedMessages)"))
            lines.append(("orders", "accepted \(status.ordersAccepted), rejected \(status.ordersRejected), unknown \(status.ordersUnknown), open \(status.openOrders)"))
            lines.append(("exposure", dollars(micros: status.totalExposureMicros)))
            lines.append(("daily P&L", "\(signedDollars(micros: status.dailyRealizedPnlMicros)) realized today (UTC, net of fees)"))
            let killSwitch = status.haltCancelsOrders ? "on: a halt cancels our resting orders" : "off: a halt leaves our resting orders"
            lines.append(("kill switch", "\(killSwitch); \(status.ordersCanceled) canceled so far"))
        }
        if command.hasPrefix("cancel") || !reply.canceled.isEmpty || !reply.notCanceled.isEmpty {
            lines.append(("canceled", "\(reply.canceled.count)" + (reply.canceled.isEmpty ? "" : ": " + reply.canceled.joined(separator: ", "))))
            lines.append(("not canceled", "\(reply.notCanceled.count)" + (reply.notCanceled.isEmpty ? "" : ": " + reply.notCanceled.joined(separator: ", "))))
        }
        let width = (lines.map(\.0.count).max() ?? 0) + 2
        return lines.map { label, value in label + String(repeating: " ", count: width - label.count) + value }.joined(separator: "\n")
    }

    /// One JSON object with every field, defaults included (proto3's JSON mapping would drop
    /// `ok: false` and zero counters). Amounts appear in micro-units and as exact decimal text.
    static func json(_ reply: Polypipe_Bus_V1_ControlReply, command: String) -> String {
        var members: [(key: String, value: JSONValue)] = [
            ("command", .string(command)), ("ok", .bool(reply.ok)), ("error", .string(reply.error)),
        ]
        if reply.hasStatus {
            let status = reply.status
            members.append(("status", .object([
                ("state", .string(stateName(status.state))), ("state_reason", .string(status.stateReason)),
                ("mode", .string(status.mode)), ("venue_url", .string(status.venueURL)),
                ("venue_version", .number("\(status.venueVersion)")), ("venue_heartbeat_ok", .bool(status.venueHeartbeatOk)),
                ("signer_address", .string(status.signerAddress)), ("started_at_ms", .number("\(status.startedAtMs)")),
                ("actions_received", .number("\(status.actionsReceived)")), ("actions_refused", .number("\(status.actionsRefused)")),
                ("malformed_messages", .number("\(status.malformedMessages)")), ("orders_accepted", .number("\(status.ordersAccepted)")),
                ("orders_rejected", .number("\(status.ordersRejected)")), ("orders_unknown", .number("\(status.ordersUnknown)")),
                ("open_orders", .number("\(status.openOrders)")),
                ("total_exposure_micros", .number("\(status.totalExposureMicros)")),
                ("total_exposure", .string(MicroUnits.format(status.totalExposureMicros))),
                ("daily_realized_pnl_micros", .number("\(status.dailyRealizedPnlMicros)")),
                ("daily_realized_pnl", .string((status.dailyRealizedPnlMicros < 0 ? "-" : "") + MicroUnits.format(status.dailyRealizedPnlMicros.magnitude))),
                ("halt_cancels_orders", .bool(status.haltCancelsOrders)), ("orders_canceled", .number("\(status.ordersCanceled)")),
            ])))
        } else {
            members.append(("status", .null))
        }
        members.append(("canceled", .array(reply.canceled.map { .string($0) })))
        members.append(("not_canceled", .array(reply.notCanceled.map { .string($0) })))
        return JSONWriter.serialize(.object(members))
    }

    /// `running`, `reducing`, `halted`, or `unknown`.
    static func stateName(_ state: Polypipe_Bus_V1_TradingState) -> String {
        switch state {
        case .running: return "running"
        case .reducing: return "reduce-only"
        case .halted: return "halted"
        default: return "unknown"
        }
    }

    /// Exact dollars from micro-units with at least two decimals: 5_000_000 → `$5.00`,
    /// 100_000 → `$0.10`, 12_345_678 → `$12.345678`, 1 → `$0.000001`.
    static func dollars(micros: UInt64) -> String {
        let whole = micros / 1_000_000
        var fraction = String(micros % 1_000_000)
        fraction = String(repeating: "0", count: 6 - fraction.count) + fraction
        while fraction.count > 2 && fraction.hasSuffix("0") { fraction.removeLast() }
        return "$\(whole).\(fraction)"
    }

    /// ``dollars(micros:)`` with a sign for a loss: -87_500 → `-$0.0875`, 0 → `$0.00`.
    static func signedDollars(micros: Int64) -> String {
        (micros < 0 ? "-" : "") + dollars(micros: micros.magnitude)
    }

    /// `3d 04h 05m 06s`, `1h 02m 03s`, `4m 05s`, `7s`.
    static func uptime(milliseconds: Int64) -> String {
        let seconds = max(0, milliseconds / 1_000)
        let (days, hours, minutes, rest) = (seconds / 86_400, seconds / 3_600 % 24, seconds / 60 % 60, seconds % 60)
        func two(_ value: Int64) -> String { value < 10 ? "0\(value)" : "\(value)" }
        if days > 0 { return "\(days)d \(two(hours))h \(two(minutes))m \(two(rest))s" }
        if hours > 0 { return "\(hours)h \(two(minutes))m \(two(rest))s" }
        if minutes > 0 { return "\(minutes)m \(two(rest))s" }
        return "\(rest)s"
    }

    /// Wall-clock unix milliseconds (the unit of `started_at_ms`).
    static func currentMillis() -> Int64 {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        return Int64(now.tv_sec) * 1_000 + Int64(now.tv_nsec) / 1_000_000
    }
}
