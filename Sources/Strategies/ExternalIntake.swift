import Foundation
import Logging
import Synchronization
import Bus
import PolypipeCore
import PolypipeRuntime

/// The PULL socket external models push actions to: `<runtime>/signal/external.sock`
/// (``BusLayout/external``), bound through ``SocketDirectory``.
///
/// A dedicated thread (a ``BackgroundWorker`` named `external-intake`) owns the socket (ZeroMQ
/// sockets are not thread-safe) and polls it every 200 ms; each message is checked by ``ExternalAction/accept(frames:receivedAtMillis:)``.
/// Valid actions come out of ``actions``; rejected ones are logged with their reason and
/// counted in ``rejected``, never forwarded.
public final class ExternalIntake: Sendable {
    private let worker = Mutex<BackgroundWorker?>(nil)
    private let rejectedCount = Mutex<UInt64>(0)
    public let actions: AsyncStream<StrategyCommand>
    private let continuation: AsyncStream<StrategyCommand>.Continuation

    /// Messages refused so far.
    public var rejected: UInt64 { rejectedCount.withLock { $0 } }

    private init() {
        (actions, continuation) = AsyncStream.makeStream(of: StrategyCommand.self)
    }

    /// Binds the socket and starts the receiving thread.
    /// - Throws: ``BusError`` when the socket cannot be bound (e.g. a second instance runs).
    public static func start(context: ZmqContext, layout: BusLayout, logger: Logger) async throws(BusError) -> ExternalIntake {
        let intake = ExternalIntake()
        let bound: Result<Void, BusError> = await withCheckedContinuation { started in
            let worker = BackgroundWorker(name: "external-intake") {
                intake.receiveLoop($0, context: context, layout: layout, logger: logger, started: started)
            }
            intake.worker.withLock { $0 = worker }
            worker.start()
        }
        try bound.get()
        return intake
    }

    /// Asks the thread to stop (it does within one poll interval, then ends ``actions``); never
    /// blocks, so it may run in a task cancellation handler. Idempotent.
    public func stop() { worker.withLock { $0 }?.stop() }

    /// Waits for the thread to finish: call it after ``stop()`` once ``actions`` has ended (the
    /// thread ends it as its last step, so this returns at once).
    public func join() { worker.withLock { $0 }?.join() }

    private func receiveLoop(_ worker: BackgroundWorker, context: ZmqContext, layout: BusLayout, logger: Logger,
                             started: CheckedContinuation<Result<Void, BusError>, Never>) {
        let socket: ZmqSocket
        do {
            let directory = try SocketDirectory(layout.signalDirectory)
            socket = try ZmqSocket(context, .pull)
            try directory.bind(socket, name: "external.sock")
        } catch {
            started.resume(returning: .failure(error))
            continuation.finish()
            return
        }
        started.resume(returning: .success(()))
        logger.info("external intake listening", metadata: ["bus.endpoint": "\(layout.external)"])
        while !worker.isStopRequested {
            let frames: [[UInt8]]?
            do { frames = try socket.receive(timeoutMilliseconds: 200) } catch {
                logger.error("external intake receive failed", metadata: ["error": "\(error)"])
                continue
            }
            guard let frames else { continue }
            switch ExternalAction.acceptCommand(frames: frames, receivedAtMillis: BusClock.nowMillis()) {
            case .success(let command):
                continuation.yield(command)
            case .failure(let rejection):
                let total = rejectedCount.withLock { count in count += 1; return count }
                logger.warning("external action rejected", metadata: [
                    "reason": "\(rejection.reason)", "error": "\(rejection.description)", "external.rejected_total": "\(total)",
                ])
            }
        }
        continuation.finish()
    }
}
