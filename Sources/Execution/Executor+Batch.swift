import Bus
import PolypipeCore
import VenueClient

/// Batches (topic "batch"): up to 15 orders in one `POST /orders` (spec §4.1).
///
/// Each leg goes through the very pipeline of a single action (`Executor+Pipeline.swift`):
/// duplicate check, validation, heartbeat, risk, signing and **journal**, on its own. A leg
/// refused there gets its own REFUSED event and is simply left out; the legs that reach the
/// hand-off are collected (``batchLegs``) instead of being sent one by one, and go out together.
/// Every leg's answer is then settled by the normal settlement (`Executor+Settlement.swift`):
/// accepted, rejected or unknown, each on its own, each event carrying the batch id.
///
/// - Important: a batch whose answer is unknown (timeout, 5xx, reset) is never posted again:
///   each leg becomes an unknown order resolved by its own hash, exactly like a single order
///   (`Executor+UnknownOutcomes.swift`, ★SUB-11).
///
/// Sending: with a ``sender`` the batch is one job on one of its connections (the execution
/// thread goes on); without one it is posted on this thread, after waiting for the signer's
/// order tokens — one per leg, all at once (a batch above the bucket's burst is refused unsent,
/// RL-06) — and settled before the next action, as single orders are.
extension Executor {
    /// The most actions one batch may hold (the venue's `POST /orders` limit).
    public static let maxBatchLegs = ClobClient.maxBatch

    /// Runs a bus batch (the ``ExecAction`` overload does the work) and returns one event per
    /// action, in order; legs handed to the ``sender`` have no outcome yet (`unspecified`).
    @discardableResult
    public func handle(_ batch: Polypipe_Bus_V1_ActionBatch, receivedAtNanos: UInt64) -> [Polypipe_Bus_V1_OrderEvent] {
        let actions = batch.actions.map { message in
            var action = ExecAction(message)
            action.batchID = batch.id
            return action
        }
        return handle(batch: actions, receivedAtNanos: receivedAtNanos).map(Polypipe_Bus_V1_OrderEvent.init)
    }

    /// Runs each action of a batch through the pipeline and posts the legs that pass in one
    /// request. Returns one report per action, in order (also published, see ``onEvent``).
    @discardableResult
    public func handle(batch actions: [ExecAction], receivedAtNanos: UInt64) -> [OrderReport] {
        if let refusal = Self.batchRefusal(actions) {
            counters.actionsReceived += UInt64(actions.count)
            return actions.map { refuse(OrderReport(action: $0, receivedAtNanos: receivedAtNanos), because: refusal) }
        }
        batchLegs = []
        var reports = actions.map { handle($0, receivedAtNanos: receivedAtNanos) }
        let legs = batchLegs ?? []
        batchLegs = nil
        guard !legs.isEmpty else { return reports }
        let settled = post(legs)
        for (index, report) in reports.enumerated() where report.outcome == .pending {
            if let outcome = settled[report.actionID] { reports[index] = outcome }
        }
        return reports
    }

    /// Why a whole batch is refused before any leg is looked at, if it is.
    static func batchRefusal(_ actions: [ExecAction]) -> String? {
        guard actions.count <= maxBatchLegs else {
            return "batch of \(actions.count) actions: a batch holds at most \(maxBatchLegs) (spec §4.1); the whole batch is refused, nothing signed"
        }
        guard let id = actions.first?.batchID, !id.isEmpty else { return "batch id is empty; the whole batch is refused, nothing signed" }
        return nil
    }

    /// Posts signed, journaled legs in one `POST /orders`. Returns the settled reports by action
    /// id; none when the legs went to the ``sender`` (``completeSubmissions()`` settles them).
    private func post(_ legs: [Submission]) -> [String: OrderReport] {
        let deadline = legs.map(\.action.expiresAtMillis).min()
        if let sender {
            var tickets: [(ticket: UInt64, body: [UInt8])] = []
            for leg in legs {
                let ticket = nextTicket
                nextTicket &+= 1
                submissions[ticket] = leg
                tracked.sent(leg.order, ticket: ticket)
                tickets.append((ticket, leg.body))
            }
            sender.submit(batch: tickets, notAfterMillis: deadline)
            return [:]
        }
        var settled: [String: OrderReport] = [:]
        if let admission = venue.rateLimits?.acquire(.orders, cost: legs.count, notAfterMillis: deadline), admission != .go {
            let now = BusClock.nowNanos()
            for leg in legs {
                settled[leg.action.id] = conclude(leg, outcome: .refused(.notSent(admission.description)), sentAtNanos: now,
                                                  answeredAtNanos: now, pacing: admission)
            }
            return settled
        }
        let sentAt = BusClock.nowNanos()
        let outcomes = venue.postOrders(bodies: legs.map { $0.body })
        let answeredAt = BusClock.nowNanos()
        for (leg, outcome) in zip(legs, outcomes) {
            settled[leg.action.id] = conclude(leg, outcome: outcome, sentAtNanos: sentAt, answeredAtNanos: answeredAt)
        }
        return settled
    }
}
