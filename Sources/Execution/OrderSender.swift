import Dispatch
import Foundation
import Synchronization
import Bus
import PolypipeCore
import VenueClient
import PolypipeRuntime

/// Posts signed orders on several venue connections at once, so exec-proc's order rate is not
/// one venue round trip per order.
///
/// exec-proc's execution thread signs and journals an order, then hands its body here with a
/// ticket and goes on to the next action; a worker thread (a ``BackgroundWorker`` named
/// `order-sender-N`, one keep-alive connection each)
/// POSTs it and queues the outcome; ``wakeup`` becomes readable and the execution thread, which
/// polls it with its bus sockets, takes the outcomes (``takeCompletions()``) and settles them.
/// All order *state* stays on the execution thread: workers only move bytes.
///
/// Orders from one burst may reach the venue in a different order than they were signed. Risk
/// is unaffected — each order's exposure is reserved before it is handed over.
///
/// Pacing (spec §6.1): when the clients carry the signer's ``RateLimitPacer``, a worker waits
/// for an order token before posting, so the execution thread never sleeps on the bucket; an
/// order whose deadline (its action's expiry) would pass first comes back unsent, with the
/// refusal in ``Completion/pacing``.
///
/// A batch (``submit(batch:notAfterMillis:)``) is one job: one worker draws a token per leg,
/// all at once (spec §6.1: the venue admits a batch whole or refuses it whole), sends one
/// `POST /orders`, and queues one completion per leg under the leg's own ticket.
public final class OrderSender: Sendable {
    public struct Completion: Sendable {
        public let ticket: UInt64
        /// Realtime clock just before the request went to the transport.
        public let sentAtNanos: UInt64
        /// Realtime clock when the answer (or the failure) came back.
        public let answeredAtNanos: UInt64
        public let outcome: SubmitOutcome
        /// Why the order was not sent (stale while waiting for the signer's order bucket); nil
        /// when it was sent and ``outcome`` is the venue's answer.
        public let pacing: RateLimitPacer.Admission?
    }

    /// Readable when completions are waiting.
    public let wakeup: Wakeup
    /// One request to make: a single order (`POST /order`) or a batch (`POST /orders`).
    private struct Job: Sendable {
        let legs: [(ticket: UInt64, body: [UInt8])]
        let isBatch: Bool
        let notAfterMillis: Int64?
        let generation: UInt64
    }

    private let jobs = Mutex<[Job]>([])
    /// Bumped by ``withdrawWaiting()``: a job submitted before the bump that is still waiting
    /// for a token gives up.
    private let withdrawals = Atomic<UInt64>(0)
    private let available = DispatchSemaphore(value: 0)
    private let completions = Mutex<[Completion]>([])
    private let workers = Mutex<[BackgroundWorker]>([])

    /// Starts one worker thread per client (each client must have its own connection).
    public init(clients: [any VenueAPI]) throws(BusError) {
        precondition(!clients.isEmpty, "an order sender needs at least one venue connection")
        wakeup = try Wakeup()
        let workers = clients.enumerated().map { index, client in
            BackgroundWorker(name: "order-sender-\(index)") { [self] in work(client, worker: $0) }
        }
        self.workers.withLock { $0 = workers }
        workers.forEach { $0.start() }
    }

    /// Queues one signed order body; its outcome comes back with the same `ticket`.
    /// - Parameter notAfterMillis: unix ms after which the order must not be sent (its action's
    ///   expiry); nil: no deadline.
    public func submit(ticket: UInt64, body: [UInt8], notAfterMillis: Int64? = nil) {
        enqueue(legs: [(ticket, body)], isBatch: false, notAfterMillis: notAfterMillis)
    }

    /// Queues a batch: its legs go out together in one `POST /orders` (at most
    /// ``ClobClient/maxBatch``), and each leg's outcome comes back with its own ticket.
    /// - Parameter notAfterMillis: the earliest of the legs' deadlines: past it none is sent.
    public func submit(batch legs: [(ticket: UInt64, body: [UInt8])], notAfterMillis: Int64? = nil) {
        enqueue(legs: legs, isBatch: true, notAfterMillis: notAfterMillis)
    }

    private func enqueue(legs: [(ticket: UInt64, body: [UInt8])], isBatch: Bool, notAfterMillis: Int64?) {
        let generation = withdrawals.load(ordering: .acquiring)
        jobs.withLock { $0.append(Job(legs: legs, isBatch: isBatch, notAfterMillis: notAfterMillis, generation: generation)) }
        available.signal()
    }

    /// Outcomes that arrived since the last call, oldest first.
    public func takeCompletions() -> [Completion] {
        wakeup.drain()
        return completions.withLock { taken in
            defer { taken.removeAll(keepingCapacity: true) }
            return taken
        }
    }

    /// Every order handed over so far that is still waiting for the signer's order bucket
    /// comes back unsent (``RateLimitPacer/Admission/withdrawn``) instead of being posted later:
    /// before a cancel-all, so it neither waits behind those orders nor leaves one resting after
    /// it (RL-07). Orders already being posted are not affected.
    public func withdrawWaiting() {
        withdrawals.add(1, ordering: .releasing)
    }

    /// Lets the workers finish the request each is on, and waits for them (a job still waiting
    /// for the signer's order bucket gives up, unsent; no completion is read after this).
    /// Idempotent.
    public func stop() {
        let workers = self.workers.withLock { $0 }
        workers.forEach { $0.stop() }
        // The workers wait on the job semaphore, not in the worker: one signal each wakes them.
        for _ in workers { available.signal() }
        workers.forEach { $0.join() }
    }

    private func work(_ client: any VenueAPI, worker: BackgroundWorker) {
        while true {
            available.wait()
            if worker.isStopRequested { return }
            guard let job = jobs.withLock({ $0.isEmpty ? nil : $0.removeFirst() }) else { continue }
            let withdrawn = { self.withdrawals.load(ordering: .acquiring) > job.generation || worker.isStopRequested }
            if let admission = client.rateLimits?.acquire(.orders, cost: job.legs.count, notAfterMillis: job.notAfterMillis, giveUp: withdrawn),
               admission != .go {
                let now = BusClock.nowNanos()
                completions.withLock { completions in
                    for leg in job.legs {
                        completions.append(Completion(ticket: leg.ticket, sentAtNanos: now, answeredAtNanos: now,
                                                      outcome: .refused(.notSent(admission.description)), pacing: admission))
                    }
                }
                wakeup.signal()
                continue
            }
            let sentAt = BusClock.nowNanos()
            let outcomes = job.isBatch ? client.postOrders(bodies: job.legs.map { $0.body }) : [client.postOrder(body: job.legs[0].body)]
            let answeredAt = BusClock.nowNanos()
            completions.withLock { completions in
                for (leg, outcome) in zip(job.legs, outcomes) {
                    completions.append(Completion(ticket: leg.ticket, sentAtNanos: sentAt, answeredAtNanos: answeredAt, outcome: outcome, pacing: nil))
                }
            }
            wakeup.signal()
        }
    }
}
