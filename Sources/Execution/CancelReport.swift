import PolypipeCore

/// What one cancel did — a strategy's request, the cancel half of a replace, an operator's
/// command or a resting lifetime running out — in exec-proc's own terms. Published on the bus
/// as a `CancelEvent` by the process edge (`Executor+Bus.swift`).
///
/// Only ids in ``canceled`` were taken off the book; an order in ``notCanceled`` stays as it
/// was (an "Order already matched" order has filled: its fill will come, CAN-02); with
/// ``Outcome/unknown`` nothing is known and every order asked about stays tracked (CAN-04).
public struct CancelReport: Sendable, Hashable {
    public enum Outcome: Sendable, Hashable {
        /// The venue cancelled every order asked for (or, for a market, none was left resting).
        case done
        /// Some cancelled, some not (``CancelReport/notCanceled`` says why).
        case partial
        /// The venue cancelled none of them, or its answer proved the request failed.
        case failed
        /// No answer (timeout, 5xx): the orders stay tracked until the venue shows them.
        case unknown
        /// Refused before anything was sent (``CancelReport/reason`` names why).
        case refused
        /// A request id executed before: nothing was done.
        case duplicate
    }

    /// The request's id (a replace's: the new action's id); empty for operator commands.
    public var requestID = ""
    public var outcome = Outcome.refused
    public var canceled: [OrderID] = []
    /// Order id → the venue's reason for not cancelling it.
    public var notCanceled: [OrderID: String] = [:]
    public var reason = ""
    public var atMillis: Int64 = 0
    public var strategy = ""

    public init(requestID: String = "", strategy: String = "", atMillis: Int64 = 0) {
        self.requestID = requestID
        self.strategy = strategy
        self.atMillis = atMillis
    }

    /// The outcome of a venue answer to a cancel of `asked` orders (nil: a whole market).
    static func outcome(canceled: [OrderID], notCanceled: [OrderID: String], asked: [OrderID]?) -> Outcome {
        if let asked, !asked.isEmpty {
            let done = asked.filter { canceled.contains($0) }.count
            if done == asked.count { return .done }
            if done > 0 { return .partial }
            // Neither cancelled nor refused: the answer proves nothing about it.
            return asked.contains { notCanceled[$0] != nil } ? .failed : .unknown
        }
        if notCanceled.isEmpty { return .done }
        return canceled.isEmpty ? .failed : .partial
    }
}
