import Bus
import PolypipeCore

/// What the dashboard shows, folded from the stack's bus messages: a pure value, so the page
/// is a function of what was published (and tests feed it messages directly).
///
/// ```swift
/// var model = DashboardModel()
/// for message in tap.receive(…) { model.apply(message) }
/// let page = model.json(nowMillis: now)   // what /api/state serves
/// ```
///
/// Rules:
/// - exec-proc's latest status wins; an order shows its latest event; a fill is keyed by
///   (trade, order) and updated in place as it settles; positions are fill-proc's latest.
/// - Bounded: the newest ``Limits`` fills, orders, alarms, samples and P&L points are kept.
/// - P&L over time takes one point per second at most (the latest state of that second).
public struct DashboardModel: Sendable {
    public struct Limits: Sendable {
        public var fills = 200
        public var orders = 500
        public var alarms = 100
        public var samples = 2_000
        public var pnlPoints = 3_600
        public init() {}
    }

    /// exec-proc as of its last status.
    public struct Exec: Sendable, Equatable {
        public var state = "unknown"
        public var stateReason = ""
        public var mode = ""
        public var heartbeatOk = false
        public var exposureMicros: UInt64 = 0
        public var openOrders: UInt64 = 0
        public var dailyRealizedPnLMicros: Int64 = 0
        public var actionsReceived: UInt64 = 0
        public var actionsRefused: UInt64 = 0
        public var atMillis: Int64 = 0
        /// The signer's rate limit: tier, order and cancel tokens left of their bursts, waits,
        /// orders refused as stale; tier empty when exec-proc does not pace (dry-run).
        public var rateLimitTier = ""
        public var orderTokens: UInt32 = 0, orderBurst: UInt32 = 0, cancelTokens: UInt32 = 0, cancelBurst: UInt32 = 0
        public var rateLimitWaits: UInt64 = 0, rateLimitStale: UInt64 = 0
    }

    public struct Order: Sendable, Equatable {
        public var orderID, actionID, tokenID, side, outcome, venueStatus, reason, strategy: String
        public var sizeMicros, limitPriceMicros: UInt64
        public var atMillis: Int64
    }

    public struct Fill: Sendable, Equatable {
        public var tradeID, orderID, tokenID, side, settlement: String
        public var sizeMicros, priceMicros, feeMicros: UInt64
        public var slippageMicros: Int64?
        public var matchedAtMillis: Int64
    }

    public struct Position: Sendable, Equatable {
        public var tokenID, market: String
        public var sizeMicros, realizedMicros, unrealizedMicros: Int64
        public var averagePriceMicros, feesMicros: UInt64
        public var fills: UInt32
        public var resolved: Bool
    }

    public struct Alarm: Sendable, Equatable {
        public var kind, severity, subject, detail: String
        public var cleared: Bool
        public var atMillis: Int64
    }

    /// One point of P&L over time (micro-units).
    public struct PnLPoint: Sendable, Equatable {
        public var atMillis: Int64
        public var realizedMicros: Int64
        public var unrealizedMicros: Int64
    }

    /// The stages timed, in the order an order lives them.
    public enum Stage: String, CaseIterable, Sendable {
        case received, validated, signed, journaled, sent, answered
        case firstFill = "first_fill"
        case confirmed
    }

    public var limits = Limits()
    public private(set) var exec = Exec()
    public private(set) var orders: [Order] = []
    public private(set) var fills: [Fill] = []
    public private(set) var positions: [Position] = []
    /// fill-proc's lifecycle of each order it follows (lower-case order id → OPEN, MATCHED,
    /// FILLED, CANCELLED, …): what says an order is still resting.
    public private(set) var lifecycles: [String: String] = [:]
    public private(set) var alarms: [Alarm] = []
    public private(set) var activeAlarms: [Alarm] = []
    public private(set) var reconInSync: Bool?
    public private(set) var reconCycle: UInt64 = 0
    public private(set) var pnl: [PnLPoint] = []
    /// Per stage, durations in microseconds (newest last).
    public private(set) var stageSamples: [Stage: [Int64]] = [:]
    public private(set) var messages = 0
    public private(set) var undecodable = 0

    public init() {}

    public mutating func apply(_ message: BusTap.Message) {
        messages += 1
        let payload = message.envelope.payload, topic = message.envelope.topic
        do {
            switch topic {
            case BusLayout.Topic.status: apply(status: try Polypipe_Bus_V1_ExecStatus(busPayload: payload, topic: topic), at: message.receivedAtMillis)
            case BusLayout.Topic.order: apply(order: try Polypipe_Bus_V1_OrderEvent(busPayload: payload, topic: topic), at: message.receivedAtMillis)
            case BusLayout.Topic.fill: apply(fill: try Polypipe_Bus_V1_Fill(busPayload: payload, topic: topic))
            case BusLayout.Topic.position: apply(state: try Polypipe_Bus_V1_FillState(busPayload: payload, topic: topic), at: message.receivedAtMillis)
            case BusLayout.Topic.alarm: apply(alarm: try Polypipe_Bus_V1_Alarm(busPayload: payload, topic: topic))
            case BusLayout.Topic.recon: apply(report: try Polypipe_Bus_V1_ReconReport(busPayload: payload, topic: topic))
            default: break  // actions, cancels: the order events say what became of them
            }
        } catch {
            undecodable += 1
        }
    }

    public mutating func apply(status: Polypipe_Bus_V1_ExecStatus, at millis: Int64) {
        exec = Exec(state: status.state.label, stateReason: status.stateReason, mode: status.mode,
                    heartbeatOk: status.venueHeartbeatOk, exposureMicros: status.totalExposureMicros, openOrders: status.openOrders,
                    dailyRealizedPnLMicros: status.dailyRealizedPnlMicros, actionsReceived: status.actionsReceived,
                    actionsRefused: status.actionsRefused, atMillis: millis, rateLimitTier: status.rateLimitTier,
                    orderTokens: status.rateLimitOrderTokens, orderBurst: status.rateLimitOrderBurst,
                    cancelTokens: status.rateLimitCancelTokens, cancelBurst: status.rateLimitCancelBurst,
                    rateLimitWaits: status.rateLimitWaits, rateLimitStale: status.rateLimitStale)
    }

    public mutating func apply(order event: Polypipe_Bus_V1_OrderEvent, at millis: Int64) {
        let id = event.orderID.isEmpty ? "action:" + event.actionID : event.orderID
        let row = Order(orderID: id, actionID: event.actionID, tokenID: event.tokenID, side: event.side == .sell ? "SELL" : "BUY",
                        outcome: event.outcome.label, venueStatus: event.venueStatus, reason: event.reason, strategy: event.strategy,
                        sizeMicros: event.sizeMicros, limitPriceMicros: event.limitPriceMicros, atMillis: millis)
        if let index = orders.firstIndex(where: { $0.orderID == id }) {
            orders[index] = row
        } else {
            orders.append(row)
            // Each order's stages, once: timed from the stamps its first event carries.
            for (stage, nanos) in event.stageDurations {
                if let ours = Stage(rawValue: stage.rawValue) { sample(ours, micros: nanos / 1_000) }
            }
        }
        if orders.count > limits.orders { orders.removeFirst(orders.count - limits.orders) }
    }

    public mutating func apply(fill message: Polypipe_Bus_V1_Fill) {
        let row = Fill(tradeID: message.tradeID, orderID: message.orderID, tokenID: message.tokenID, side: message.side == .sell ? "SELL" : "BUY",
                       settlement: message.settlement.label, sizeMicros: message.sizeMicros, priceMicros: message.priceMicros,
                       feeMicros: message.feeMicros, slippageMicros: message.hasSlippage_p ? message.slippageMicros : nil,
                       matchedAtMillis: message.matchedAtMs)
        if let index = fills.firstIndex(where: { $0.tradeID == row.tradeID && $0.orderID == row.orderID }) {
            let before = fills[index].settlement
            fills[index] = row
            if before != "CONFIRMED", row.settlement == "CONFIRMED", message.settlementChangedAtMs >= message.matchedAtMs, message.matchedAtMs > 0 {
                sample(.confirmed, micros: (message.settlementChangedAtMs - message.matchedAtMs) * 1_000)
            }
        } else {
            fills.append(row)
            if message.latencyMs >= 0, message.matchedAtMs > 0 { sample(.firstFill, micros: message.latencyMs * 1_000) }
            // First seen already confirmed (a snapshot): its confirmation time is known too.
            if row.settlement == "CONFIRMED", message.settlementChangedAtMs >= message.matchedAtMs, message.matchedAtMs > 0 {
                sample(.confirmed, micros: (message.settlementChangedAtMs - message.matchedAtMs) * 1_000)
            }
        }
        if fills.count > limits.fills { fills.removeFirst(fills.count - limits.fills) }
    }

    public mutating func apply(state: Polypipe_Bus_V1_FillState, at millis: Int64) {
        positions = state.positions.map {
            Position(tokenID: $0.tokenID, market: $0.market, sizeMicros: $0.sizeMicros, realizedMicros: $0.realizedPnlMicros,
                     unrealizedMicros: $0.unrealizedPnlMicros, averagePriceMicros: $0.averagePriceMicros, feesMicros: $0.feesMicros,
                     fills: $0.fillCount, resolved: $0.resolved)
        }
        for order in state.orders { lifecycles[order.orderID.lowercased()] = order.state.label }
        let point = PnLPoint(atMillis: millis, realizedMicros: state.realizedPnlMicros,
                             unrealizedMicros: state.positions.reduce(0) { $0 + $1.unrealizedPnlMicros })
        if let last = pnl.last, last.atMillis / 1_000 == millis / 1_000 { pnl[pnl.count - 1] = point } else { pnl.append(point) }
        if pnl.count > limits.pnlPoints { pnl.removeFirst(pnl.count - limits.pnlPoints) }
    }

    public mutating func apply(alarm message: Polypipe_Bus_V1_Alarm) {
        alarms.append(Alarm(kind: message.kind, severity: message.severity.label, subject: message.subject, detail: message.detail,
                            cleared: message.cleared, atMillis: message.atMs))
        if alarms.count > limits.alarms { alarms.removeFirst(alarms.count - limits.alarms) }
    }

    public mutating func apply(report: Polypipe_Bus_V1_ReconReport) {
        reconInSync = report.inSync
        reconCycle = report.cycle
        activeAlarms = report.active.map {
            Alarm(kind: $0.kind, severity: $0.severity.label, subject: $0.subject, detail: $0.detail, cleared: false, atMillis: $0.atMs)
        }
    }

    private mutating func sample(_ stage: Stage, micros: Int64) {
        stageSamples[stage, default: []].append(micros)
        if stageSamples[stage, default: []].count > limits.samples { stageSamples[stage]?.removeFirst() }
    }
}
