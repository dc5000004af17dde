import Foundation
import Logging
import ServiceLifecycle
import Upstream

/// Feeds the venue's mirror (``Venue/applyUpstream(_:)``) for as long as the server runs: from
/// the upstream itself (`--mirror`) or from a recording (`--replay`), each record on the sim's
/// clock — a replay's clock starts at the recording's first record and runs `--speed` times
/// faster than real time, so windows open, trade and resolve at the times they did. Its last
/// log line, "replay finished", tells `polypipe up --replay` that the recording is over.
struct UpstreamSource: Service {
    enum Origin: Sendable {
        case live(UpstreamFeed)
        case replay(RecordingReader, ReplayControl)
    }

    let venue: Venue
    let origin: Origin
    let clock: SimClock
    let logger: Logger

    func run() async throws {
        await venue.startMirroring()
        switch origin {
        case .live(let feed):
            for await record in feed.records() {
                if Task.isCancelled || Task.isShuttingDownGracefully { break }
                await venue.applyUpstream(record)
            }
        case .replay(let recording, let control):
            for record in recording.records {
                // Due when the clock reaches it; a held clock (``ReplayControl``) keeps it waiting.
                while case let wait = Double(record.receivedAtMillis - clock.nowMillis()) / clock.scale, wait > 0 {
                    if Task.isCancelled || Task.isShuttingDownGracefully { break }
                    try? await Task.sleep(for: .milliseconds(min(Int64(wait.rounded(.up)), 50)))
                }
                if Task.isCancelled || Task.isShuttingDownGracefully { break }
                await venue.applyUpstream(record)
                control.applied()
            }
            control.finished()
            logger.notice("replay finished", metadata: ["records": "\(control.snapshot.applied)", "file": "\(recording.path)"])
            // The venue keeps serving what the recording left (fills, positions) until stopped.
            while !Task.isCancelled && !Task.isShuttingDownGracefully { try? await Task.sleep(for: .milliseconds(200)) }
        }
    }
}
