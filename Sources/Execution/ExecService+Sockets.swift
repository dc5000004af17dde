import Foundation
import Logging
import Synchronization
import Bus
import JournalStore
import PolypipeCore
import PolypipeRuntime
import VenueClient

/// The event loop's socket handlers: actions (and cancels, replaces, batches) in, control
/// commands answered, snapshots served.
extension ExecService {
    /// Handles every queued action; a malformed message is counted and logged, nothing else.
    func drainActions(_ socket: ZmqSocket, executor: Executor) {
        while let frames = try? socket.receiveNow() {
            let receivedAt = BusClock.nowNanos()
            do {
                let envelope = try Envelope(frames: frames)
                switch envelope.topic {
                case BusLayout.Topic.action:
                    executor.handle(try Polypipe_Bus_V1_Action(busPayload: envelope.payload, topic: envelope.topic), receivedAtNanos: receivedAt)
                case BusLayout.Topic.cancel:
                    executor.handle(try Polypipe_Bus_V1_CancelRequest(busPayload: envelope.payload, topic: envelope.topic), receivedAtNanos: receivedAt)
                case BusLayout.Topic.replace:
                    executor.handle(try Polypipe_Bus_V1_ReplaceRequest(busPayload: envelope.payload, topic: envelope.topic), receivedAtNanos: receivedAt)
                case BusLayout.Topic.batch:
                    executor.handle(try Polypipe_Bus_V1_ActionBatch(busPayload: envelope.payload, topic: envelope.topic), receivedAtNanos: receivedAt)
                default:
                    throw BusError.malformed(topic: envelope.topic, reason: "unknown topic on the actions socket (expected action, cancel, replace or batch)")
                }
            } catch {
                executor.countMalformed()
                logger.warning("dropped a malformed bus message", metadata: ["error": "\(error)", "frames": "\(frames.count)"])
            }
        }
    }

    func serveControl(_ server: RequestServer, executor: Executor, status: () -> Polypipe_Bus_V1_ExecStatus) {
        while true {
            let request: RequestServer.Request
            do {
                guard let next = try server.nextRequest() else { return }
                request = next
            } catch {
                executor.countMalformed()
                logger.warning("dropped a malformed control message", metadata: ["error": "\(error)"])
                continue
            }
            var reply = Polypipe_Bus_V1_ControlReply()
            do {
                let command = try Polypipe_Bus_V1_ControlRequest(busPayload: request.payload, topic: "control")
                let reason = command.reason.isEmpty ? "operator" : command.reason
                reply.ok = true
                switch command.command {
                case .status: break
                case .halt: executor.setState(.halted, reason: reason)
                case .resume: executor.setState(.running, reason: reason)
                case .reduceOnly: executor.setState(.reducing, reason: reason)
                case .cancelAll:
                    let result = executor.cancelAll(reason: reason)
                    reply.canceled = result.canceled.map(\.description)
                    reply.notCanceled = result.notCanceled.map { "\($0.key): \($0.value)" }.sorted()
                    if let error = result.error { reply.ok = false; reply.error = "cancel-all failed: \(error)" }
                case .cancelOrder, .cancelMarket:
                    Self.cancel(command, reason: reason, executor: executor, into: &reply)
                case .unspecified, .UNRECOGNIZED:
                    reply.ok = false
                    reply.error = "unknown command \(command.command.rawValue)"
                }
            } catch {
                executor.countMalformed()
                reply.ok = false
                reply.error = "\(error)"
            }
            reply.status = status()
            do { try server.reply(to: request, with: reply) } catch {
                logger.warning("cannot answer a control request", metadata: ["error": "\(error)"])
            }
        }
    }

    /// CANCEL_ORDER (order_id) and CANCEL_MARKET (market, optional token_id): the strategies'
    /// cancel, without a request id. Not ok when the target is malformed or not ours, or the
    /// venue cancelled nothing.
    private static func cancel(_ command: Polypipe_Bus_V1_ControlRequest, reason: String, executor: Executor,
                               into reply: inout Polypipe_Bus_V1_ControlReply) {
        let target: CancelTarget
        do {
            target = try command.command == .cancelOrder
                ? CancelTarget.parse(orderID: command.orderID, actionID: "", market: "", tokenID: "")
                : CancelTarget.parse(orderID: "", actionID: "", market: command.market, tokenID: command.tokenID)
        } catch {
            reply.ok = false
            reply.error = command.command == .cancelOrder && command.orderID.isEmpty ? "order_id is empty" : "\(error)"
            return
        }
        let report = executor.cancel(target, requestID: nil, reason: reason, strategy: "operator")
        reply.canceled = report.canceled.map(\.description)
        reply.notCanceled = report.notCanceled.map { "\($0.key): \($0.value)" }.sorted()
        switch report.outcome {
        case .done where !report.canceled.isEmpty || executor.configuration.mode == .dryRun, .partial: break
        case .done: reply.ok = false; reply.error = "nothing to cancel: no order of ours was resting in \(target)"
        case .failed, .unknown, .refused, .duplicate: reply.ok = false; reply.error = report.reason
        }
    }

    func serveSnapshot(_ server: RequestServer, publisher: BusPublisher, executor: Executor, status: () -> Polypipe_Bus_V1_ExecStatus) {
        server.answerAll(malformed: { _ in executor.countMalformed() }) { _ in
            var snapshot = Polypipe_Bus_V1_Snapshot()
            snapshot.source = publisher.source
            snapshot.epoch = publisher.epoch
            snapshot.sequence = publisher.sequence
            snapshot.status = status()
            snapshot.orders = executor.recentEvents
            snapshot.openOrders = executor.mayBeLiveOrders
            return snapshot
        }
    }
}
