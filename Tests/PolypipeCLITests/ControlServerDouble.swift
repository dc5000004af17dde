import Foundation
import Synchronization
import Bus

/// A stand-in for exec-proc's control socket: a ROUTER bound at `DIR/control/control.sock` on its
/// own thread, answering each `ControlRequest` with `reply(request)` (or never answering, to
/// test the client's timeout). It records what it received.
final class ControlServerDouble: Sendable {
    let runtimeDirectory: String
    private let shared = State()

    /// What the server thread and the test share.
    final class State: Sendable {
        let received = Mutex<[Polypipe_Bus_V1_ControlRequest]>([])
        let stopping = Mutex(false)
        let failure = Mutex<String?>(nil)
        let finished = DispatchSemaphore(value: 0)
    }

    /// Binds and starts serving; returns once the socket is bound.
    init(runtimeDirectory: String, answers: Bool = true,
         reply: @escaping @Sendable (Polypipe_Bus_V1_ControlRequest) -> Polypipe_Bus_V1_ControlReply) throws {
        self.runtimeDirectory = runtimeDirectory
        let bound = DispatchSemaphore(value: 0)
        let layout = BusLayout(runtimeDirectory: runtimeDirectory)
        let thread = Thread { [shared] in
            defer { shared.finished.signal() }
            do {
                let context = try ZmqContext()
                let socket = try ZmqSocket(context, .router)
                try SocketDirectory(layout.controlDirectory).bind(socket, name: "control.sock")
                bound.signal()
                let server = RequestServer(socket: socket)
                while !shared.stopping.withLock({ $0 }) {
                    guard try ZmqSocket.poll([socket], timeoutMilliseconds: 50).first == true,
                          let request = try server.nextRequest() else { continue }
                    let message = try Polypipe_Bus_V1_ControlRequest(busPayload: request.payload, topic: "control")
                    shared.received.withLock { $0.append(message) }
                    if answers { try server.reply(to: request, with: reply(message)) }
                }
            } catch {
                shared.failure.withLock { $0 = "\(error)" }
                bound.signal()
            }
        }
        thread.start()
        bound.wait()
        if let failure = shared.failure.withLock({ $0 }) { throw CocoaError(.fileWriteUnknown, userInfo: [NSLocalizedDescriptionKey: failure]) }
    }

    var requests: [Polypipe_Bus_V1_ControlRequest] { shared.received.withLock { $0 } }

    /// Stops the thread and waits for it (the socket closes with it).
    func stop() {
        shared.stopping.withLock { $0 = true }
        shared.finished.wait()
    }

    /// A typical status: halted for maintenance, 12.345678 dollars at risk.
    static func sampleStatus() -> Polypipe_Bus_V1_ExecStatus {
        var status = Polypipe_Bus_V1_ExecStatus()
        status.state = .halted
        status.stateReason = "maintenance"
        status.mode = "paper"
        status.venueHeartbeatOk = true
        status.signerAddress = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8"
        status.venueURL = "http://127.0.0.1:45678"
        status.venueVersion = 2
        status.actionsReceived = 10
        status.actionsRefused = 1
        status.malformedMessages = 0
        status.ordersAccepted = 8
        status.ordersRejected = 1
        status.ordersUnknown = 2
        status.openOrders = 3
        status.totalExposureMicros = 12_345_678
        status.dailyRealizedPnlMicros = -87_500
        status.haltCancelsOrders = true
        status.ordersCanceled = 3
        return status
    }
}
