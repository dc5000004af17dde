import Foundation
import Logging
import Synchronization
import Bus
import PolypipeCore
import PolypipeRuntime

/// Follows exec-proc's events (orders and cancels, through ``ExecEventFeed``: snapshots after
/// a gap) and fill-proc's fills for a ``ManagingStrategy``, on its own thread (a
/// ``BackgroundWorker`` named `feedback`: ZeroMQ sockets are not thread-safe), and hands them
/// over as ``feedback``.
///
/// Either process may start after signal-proc or restart: the subscriptions connect and wait.
public final class FeedbackIntake: Sendable {
    public let feedback: AsyncStream<StrategyFeedback>
    private let continuation: AsyncStream<StrategyFeedback>.Continuation
    private let worker = Mutex<BackgroundWorker?>(nil)

    private init() {
        (feedback, continuation) = AsyncStream.makeStream(of: StrategyFeedback.self, bufferingPolicy: .bufferingNewest(100_000))
    }

    /// Connects the subscriptions and starts the thread.
    public static func start(context: ZmqContext, layout: BusLayout, logger: Logger) -> FeedbackIntake {
        let intake = FeedbackIntake()
        let worker = BackgroundWorker(name: "feedback") { intake.receiveLoop($0, context: context, layout: layout, logger: logger) }
        intake.worker.withLock { $0 = worker }
        worker.start()
        return intake
    }

    /// Stops the thread (within one poll) and waits for it; ends ``feedback``.
    public func stopAndJoin() { worker.withLock { $0 }?.stopAndJoin() }

    private func receiveLoop(_ worker: BackgroundWorker, context: ZmqContext, layout: BusLayout, logger: Logger) {
        defer { continuation.finish() }
        let exec: ExecEventFeed
        let fills: ZmqSocket
        do {
            exec = try ExecEventFeed(context: context, layout: layout, logger: logger)
            fills = try ZmqSocket(context, .subscribe)
            try fills.setHighWaterMark(100_000)
            try fills.connect(layout.fillEvents)
            try fills.subscribe(BusLayout.Topic.fill)
        } catch {
            logger.critical("cannot follow exec-proc's and fill-proc's events; the strategy sees no answers", metadata: ["error": "\(error)"])
            return
        }
        exec.onCancelEvent = { [continuation] event in
            if let feedback = StrategyFeedback(event) { continuation.yield(feedback) }
        }
        var malformed = 0
        while !worker.isStopRequested {
            guard (try? ZmqSocket.poll([exec.socket, fills], timeoutMilliseconds: 200)) != nil else { continue }
            for event in exec.drain(nowMillis: BusClock.nowMillis()) {
                if let feedback = StrategyFeedback(event) { continuation.yield(feedback) }
            }
            while let frames = try? fills.receiveNow() {
                do {
                    let envelope = try Envelope(frames: frames)
                    guard envelope.topic == BusLayout.Topic.fill else { continue }
                    if let feedback = StrategyFeedback(try Polypipe_Bus_V1_Fill(busPayload: envelope.payload, topic: envelope.topic)) {
                        continuation.yield(feedback)
                    }
                } catch {
                    malformed += 1
                    logger.warning("dropped a malformed fill event", metadata: ["error": "\(error)", "feed.malformed_total": "\(malformed)"])
                }
            }
        }
    }
}
