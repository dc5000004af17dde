import Fills
import PolypipeCore

extension DashboardModel {
    /// The page's data (`GET /api/state`, and each server-sent event): amounts as exact decimal
    /// text for display, micro-units as integers where the page draws them.
    public func json(nowMillis: Int64) -> JSONValue {
        let accepted = orders.filter { $0.outcome == "accepted" }
        let filledOrders = Set(fills.filter { $0.settlement != "FAILED" }.map(\.orderID))
        let rate: Int? = accepted.isEmpty ? nil : accepted.filter { filledOrders.contains($0.orderID) }.count * 10_000 / accepted.count
        let fillRate: JSONValue = rate.map { .string("\($0 / 100).\($0 % 100 < 10 ? "0" : "")\($0 % 100)%") } ?? .null
        let openRows: [JSONValue] = orders.filter(isOpen).reversed().map(openOrderJSON)
        let orderRows: [JSONValue] = orders.suffix(50).reversed().map(orderJSON)
        let fillRows: [JSONValue] = fills.suffix(50).reversed().map(fillJSON)
        let positionRows: [JSONValue] = positions.sorted { $0.tokenID < $1.tokenID }.map(positionJSON)
        let pnlPoints: [JSONValue] = pnl.map { .array([Self.number($0.atMillis), Self.number($0.realizedMicros), Self.number($0.unrealizedMicros)]) }
        let latencyRows: [JSONValue] = Stage.allCases.map(latencyJSON)
        let alarmRows: [JSONValue] = alarms.suffix(20).reversed().map(Self.alarmJSON)
        let fields: [(key: String, value: JSONValue)] = [
            ("now_ms", Self.number(nowMillis)), ("exec", execJSON(nowMillis: nowMillis)), ("recon", reconJSON()),
            ("open_orders", .array(openRows)), ("orders", .array(orderRows)), ("fills", .array(fillRows)),
            ("positions", .array(positionRows)), ("pnl", .array(pnlPoints)), ("fill_rate", fillRate),
            ("slippage", slippageJSON()), ("latency", .array(latencyRows)), ("alarms", .array(alarmRows)),
            ("rate_limit", .string(rateLimitText)), ("messages", Self.number(messages)),
        ]
        return .object(fields)
    }

    /// `orders 55/60 · cancels 60/60 · 3 waits` (tier in the title); "not paced" without a tier.
    var rateLimitText: String {
        guard !exec.rateLimitTier.isEmpty else { return "not paced" }
        let stale = exec.rateLimitStale > 0 ? " · \(exec.rateLimitStale) stale" : ""
        return "\(exec.rateLimitTier): orders \(exec.orderTokens)/\(exec.orderBurst) · cancels \(exec.cancelTokens)/\(exec.cancelBurst) · \(exec.rateLimitWaits) waits\(stale)"
    }

    private func execJSON(nowMillis: Int64) -> JSONValue {
        let age: JSONValue = exec.atMillis > 0 ? Self.number(max(0, nowMillis - exec.atMillis)) : .null
        return .object([
            ("state", .string(exec.state)), ("reason", .string(exec.stateReason)), ("mode", .string(exec.mode)),
            ("heartbeat_ok", .bool(exec.heartbeatOk)), ("exposure", Self.amount(Int64(clamping: exec.exposureMicros))),
            ("open_orders", Self.number(exec.openOrders)), ("daily_realized_pnl", Self.amount(exec.dailyRealizedPnLMicros)),
            ("actions_received", Self.number(exec.actionsReceived)), ("actions_refused", Self.number(exec.actionsRefused)),
            ("status_age_ms", age),
        ])
    }

    private func reconJSON() -> JSONValue {
        let inSync: JSONValue = reconInSync.map(JSONValue.bool) ?? .null
        return .object([("in_sync", inSync), ("cycle", Self.number(reconCycle)), ("active", .array(activeAlarms.map(Self.alarmJSON)))])
    }

    private func openOrderJSON(_ order: Order) -> JSONValue {
        .object([("order_id", Self.short(order.orderID)), ("token", Self.short(order.tokenID)), ("side", .string(order.side)),
                 ("price", Self.price(order.limitPriceMicros)), ("size", Self.price(order.sizeMicros)),
                 ("status", .string(lifecycles[order.orderID.lowercased()] ?? order.venueStatus)), ("strategy", .string(order.strategy))])
    }

    private func orderJSON(_ order: Order) -> JSONValue {
        .object([("order_id", Self.short(order.orderID)), ("token", Self.short(order.tokenID)), ("side", .string(order.side)),
                 ("price", Self.price(order.limitPriceMicros)), ("size", Self.price(order.sizeMicros)),
                 ("outcome", .string(order.outcome)), ("status", .string(order.venueStatus)), ("reason", .string(order.reason)),
                 ("at_ms", Self.number(order.atMillis))])
    }

    private func fillJSON(_ fill: Fill) -> JSONValue {
        let slippage: JSONValue = fill.slippageMicros.map { Self.amount($0, decimals: 4) } ?? .null
        return .object([
            ("trade_id", Self.short(fill.tradeID)), ("token", Self.short(fill.tokenID)), ("side", .string(fill.side)),
            ("price", Self.price(fill.priceMicros)), ("size", Self.price(fill.sizeMicros)), ("fee", Self.price(fill.feeMicros)),
            ("settlement", .string(fill.settlement)), ("slippage", slippage), ("at_ms", Self.number(fill.matchedAtMillis)),
        ])
    }

    private func positionJSON(_ position: Position) -> JSONValue {
        .object([("token", Self.short(position.tokenID)), ("size", Self.amount(position.sizeMicros)),
                 ("average_price", Self.price(position.averagePriceMicros)), ("realized", Self.amount(position.realizedMicros)),
                 ("unrealized", Self.amount(position.unrealizedMicros)), ("fees", Self.price(position.feesMicros)),
                 ("fills", Self.number(position.fills)), ("resolved", .bool(position.resolved))])
    }

    private func slippageJSON() -> JSONValue {
        let values = fills.compactMap(\.slippageMicros)
        let p50: JSONValue = ExecutionStats.nearestRank(values, percent: 50).map { Self.amount($0, decimals: 4) } ?? .null
        let p95: JSONValue = ExecutionStats.nearestRank(values, percent: 95).map { Self.amount($0, decimals: 4) } ?? .null
        let bins: [JSONValue] = Self.histogram(values).map { .array([.string($0.label), Self.number($0.count)]) }
        return .object([("count", Self.number(values.count)), ("p50", p50), ("p95", p95), ("histogram", .array(bins))])
    }

    /// One stage's latency: samples, and p50/p95/p99 as text (`850 µs`, `12.3 ms`), nil without samples.
    public struct StageLatency: Sendable, Equatable {
        public var stage: Stage
        public var count: Int
        public var p50, p95, p99: String?
    }

    /// Every stage's latency, in the order an order lives them (the end of `polypipe up` prints it).
    public var stageLatencies: [StageLatency] {
        Stage.allCases.map { stage in
            let samples = stageSamples[stage] ?? []
            func percentile(_ percent: Int) -> String? { ExecutionStats.nearestRank(samples, percent: percent).map(Self.duration(micros:)) }
            return StageLatency(stage: stage, count: samples.count, p50: percentile(50), p95: percentile(95), p99: percentile(99))
        }
    }

    private func latencyJSON(_ stage: Stage) -> JSONValue {
        let samples = stageSamples[stage] ?? []
        func percentile(_ percent: Int) -> JSONValue {
            ExecutionStats.nearestRank(samples, percent: percent).map { .string(Self.duration(micros: $0)) } ?? .null
        }
        return .object([("stage", .string(stage.rawValue)), ("count", Self.number(samples.count)),
                        ("p50", percentile(50)), ("p95", percentile(95)), ("p99", percentile(99))])
    }

    private static func alarmJSON(_ alarm: Alarm) -> JSONValue {
        .object([("kind", .string(alarm.kind)), ("severity", .string(alarm.severity)), ("subject", .string(alarm.subject)),
                 ("detail", .string(alarm.detail)), ("cleared", .bool(alarm.cleared)), ("at_ms", number(alarm.atMillis))])
    }

    private static func number(_ value: some BinaryInteger) -> JSONValue { .number(String(value)) }
    private static func price(_ micros: UInt64) -> JSONValue { .string(MicroUnits.format(micros, minimumDecimals: 2)) }
    private static func amount(_ micros: Int64, decimals: Int = 2) -> JSONValue {
        .string(Signed<Collateral>(micros: micros).signedText(minimumDecimals: decimals))
    }
    /// Long ids (hashes, token ids) as their last 8 characters.
    private static func short(_ id: String) -> JSONValue { .string(id.count > 10 ? "…" + id.suffix(8) : id) }

    /// `850 µs`, `12.3 ms`, `1.25 s`.
    static func duration(micros: Int64) -> String {
        if micros < 1_000 { return "\(micros) µs" }
        if micros < 1_000_000 { return "\(micros / 1_000).\((micros % 1_000) / 100) ms" }
        let hundredths = (micros % 1_000_000) / 10_000
        return "\(micros / 1_000_000).\(hundredths < 10 ? "0" : "")\(hundredths) s"
    }

    /// Slippage per share (positive = worse for us) in bins from −5¢ to +5¢, open at both ends.
    static func histogram(_ values: [Int64]) -> [(label: String, count: Int)] {
        let bins: [(String, Int64, Int64)] = [
            ("< -5¢", .min, -50_000), ("-5..-2¢", -50_000, -20_000), ("-2..-1¢", -20_000, -10_000), ("-1..0¢", -10_000, 0),
            ("0", 0, 1), ("0..1¢", 1, 10_001), ("1..2¢", 10_001, 20_001), ("2..5¢", 20_001, 50_001), ("> 5¢", 50_001, .max),
        ]
        return bins.map { bin in (bin.0, values.filter { $0 >= bin.1 && $0 < bin.2 }.count) }
    }
}

extension DashboardModel {
    /// Resting, as far as the stack knows: fill-proc's lifecycle when it follows the order
    /// (OPEN or MATCHED), else exec-proc's answer (accepted, live or delayed).
    func isOpen(_ order: Order) -> Bool {
        if let lifecycle = lifecycles[order.orderID.lowercased()] { return lifecycle == "OPEN" || lifecycle == "MATCHED" }
        return order.outcome == "accepted" && ["live", "delayed"].contains(order.venueStatus.lowercased())
    }
}
