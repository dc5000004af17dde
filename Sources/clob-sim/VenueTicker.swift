import Hummingbird
import ServiceLifecycle

/// Drives the venue's time-based work (settlement, GTD expiry, heartbeat switch) every 100 ms,
/// and on shutdown closes the WebSockets so the server is not kept waiting for them.
struct VenueTicker: Service {
    let venue: Venue

    func run() async throws {
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            await venue.tick()
            try? await Task.sleep(for: .milliseconds(100))
        }
        venue.broadcaster.dropAll()
    }
}
