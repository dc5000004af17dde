import Fills
import PolypipeCore
/// One discrepancy a reconciliation cycle found, with both sides and the difference.
///
/// ``subject`` names the thing that disagrees (a position, an order, an input) and, with the
/// kind, makes the ``alarmID`` that ``AlarmTracker`` keeps episodes by: the numbers in the
/// message may change from cycle to cycle, the alarm does not.
public struct Finding: Sendable, Hashable, CustomStringConvertible {
    /// The kinds of discrepancy; the raw value is the alarm name used in logs, on the bus and
    /// in webhooks.
    public enum Kind: String, Sendable, Hashable, CaseIterable {
        /// Paper and actual positions differ beyond the thresholds, past the grace period.
        case positionMismatch = "position_mismatch"
        /// Such a difference, explained by fills the venue reported FAILED (SET-02).
        case ghostFill = "ghost_fill"
        /// The venue lists an open order the journal does not know (REC-05).
        case orphanOrder = "orphan_order"
        /// The journal has an open order the venue never heard of, past the grace period (REC-06).
        case missingOrder = "missing_order"
        /// An input is older than allowed (REC-08).
        case staleInput = "stale_input"
        /// Realized losses since the start of the UTC day reached the daily limit.
        case dailyLoss = "daily_loss"
    }

    /// What exactly disagrees.
    public enum Detail: Sendable, Hashable {
        case position(PositionComparison)
        case ghostFill(PositionComparison, failed: [FailedFill])
        case orphanOrder(VenueOrder)
        case missingOrder(JournalOrder, ageMillis: Int64)
        case staleInput(ReconciliationInput.Source, ageMillis: Int64, limitMillis: Int64)
        case dailyLoss(loss: Collateral, limit: Collateral)
    }

    public let kind: Kind
    public let severity: Severity
    /// `market/token`, an order id or an input name.
    public let subject: String
    public let detail: Detail

    public init(kind: Kind, severity: Severity, subject: String, detail: Detail) {
        self.kind = kind
        self.severity = severity
        self.subject = subject
        self.detail = detail
    }

    /// Identity of the alarm episode: kind and subject.
    public var alarmID: String { "\(kind.rawValue) \(subject)" }

    /// One sentence for humans, with both sides and the difference.
    public var message: String {
        switch detail {
        case .position(let comparison): return comparison.text
        case .ghostFill(let comparison, let failed):
            let trades = failed.map { "trade \($0.key.tradeID) (\($0.side.rawValue) \(Shares.text($0.size)) @ \(Price.text($0.price)))" }
            return "\(comparison.text); FAILED at the venue: \(trades.joined(separator: ", "))"
        case .orphanOrder(let order):
            return "venue order \(order.orderID) (\(order.side.rawValue) \(Shares.text(order.size)) @ \(Price.text(order.price)), "
                + "\(Shares.text(order.matched)) matched) is not in the journal"
        case .missingOrder(let order, let age):
            return "journal order \(order.orderID) is not on the venue \(age / 1000) s after it was made, and the venue never reported it"
        case .staleInput(let source, let age, let limit):
            return "\(source.rawValue) input is \(age / 1000) s old (limit \(limit / 1000) s)"
        case .dailyLoss(let loss, let limit):
            return "realized loss today \(loss) pUSD reached the daily limit \(limit) pUSD"
        }
    }

    public var description: String { "\(severity.rawValue) \(kind.rawValue) \(subject): \(message)" }
}

/// How bad a finding is. Ordered: `info < warning < critical`.
public enum Severity: String, Sendable, Hashable, CaseIterable, Comparable {
    case info
    case warning
    case critical

    private var rank: Int { Self.allCases.firstIndex(of: self) ?? 0 }
    public static func < (lhs: Severity, rhs: Severity) -> Bool { lhs.rank < rhs.rank }
}

/// Paper against actual for one position: both sides and the differences.
public struct PositionComparison: Sendable, Hashable {
    public let key: PositionKey
    public let paperSize: Signed<Shares>
    public let paperPrice: Price
    public let actualSize: Signed<Shares>
    public let actualPrice: Price
    /// Of ``actualSize``, what still depends on provisional fills.
    public let actualProvisional: Signed<Shares>
    /// Paper − actual.
    public let sizeDifference: Signed<Shares>
    /// `|sizeDifference| × reference price`, floored to a micro-unit (the threshold check itself is exact).
    public let notionalDifference: Collateral
    /// `|paper avg − actual avg|`.
    public let priceDifference: Price
    public let sizeBreached: Bool
    public let priceBreached: Bool

    public init(key: PositionKey, paperSize: Signed<Shares>, paperPrice: Price, actualSize: Signed<Shares>, actualPrice: Price,
                actualProvisional: Signed<Shares>, sizeDifference: Signed<Shares>, notionalDifference: Collateral, priceDifference: Price,
                sizeBreached: Bool, priceBreached: Bool) {
        self.key = key
        self.paperSize = paperSize
        self.paperPrice = paperPrice
        self.actualSize = actualSize
        self.actualPrice = actualPrice
        self.actualProvisional = actualProvisional
        self.sizeDifference = sizeDifference
        self.notionalDifference = notionalDifference
        self.priceDifference = priceDifference
        self.sizeBreached = sizeBreached
        self.priceBreached = priceBreached
    }

    /// `paper 10.00 @ 0.52 vs actual 8.00 @ 0.53: size diff 2.00 ($1.04)` — plus the provisional
    /// part of the actual side when there is one, and the price difference when it breached.
    public var text: String {
        var text = "paper \(Shares.text(paperSize)) @ \(Price.text(paperPrice)) vs actual \(Shares.text(actualSize)) @ \(Price.text(actualPrice))"
        if !actualProvisional.isZero { text += " (\(Shares.text(actualProvisional)) provisional)" }
        var differences: [String] = []
        if sizeBreached || !priceBreached { differences.append("size diff \(Shares.text(sizeDifference)) ($\(Price.text(Price(micros: notionalDifference.micros))))") }
        if priceBreached { differences.append("price diff \(Price.text(priceDifference))") }
        return text + ": " + differences.joined(separator: ", ")
    }
}

extension MicroUnitAmount {
    /// Report text: exact, at least 2 decimals (`10.00`, `0.52`, `0.009`).
    static func text(_ amount: Self) -> String { MicroUnits.format(amount.micros, minimumDecimals: 2) }

    /// Report text of a signed amount: exact, at least 2 decimals, `-` when negative.
    static func text(_ amount: Signed<Self>) -> String { (amount.isNegative ? "-" : "") + text(amount.magnitude) }
}
