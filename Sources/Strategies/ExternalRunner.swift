import Logging
import Bus

/// Forwards the actions external models push to `external.sock` (already validated by
/// ``ExternalIntake``) through the ``ActionOutlet``, until cancelled.
public struct ExternalRunner: Sendable {
    public let logger: Logger

    public init(logger: Logger) { self.logger = logger }

    public func run(context: ZmqContext, layout: BusLayout, outlet: ActionOutlet, onReady: () -> Void) async throws(BusError) {
        let intake = try await ExternalIntake.start(context: context, layout: layout, logger: logger)
        onReady()
        await withTaskCancellationHandler {
            for await command in intake.actions {
                outlet.send(command)
            }
        } onCancel: {
            intake.stop()
        }
        // The stream ended: the receiving thread is past its loop.
        intake.join()
    }
}
