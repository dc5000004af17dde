import Foundation
import SwiftProtobuf
import Bus

/// One snapshot request to a process of the stack (fill-proc's or recon-proc's snapshot
/// socket): its state, or why there is none — not running (no socket file: nobody can be
/// behind it, so no wait) or no answer in time.
enum SnapshotQuery {
    static func ask<Reply: SwiftProtobuf.Message>(_ process: String, endpoint: String, expecting type: Reply.Type, context: ZmqContext,
                                                  timeoutMilliseconds: Int32) -> Result<Reply, ReadCommandError> {
        let socket = String(endpoint.dropFirst("ipc://".count))
        guard FileManager.default.fileExists(atPath: socket) else { return .failure(.notRunning(process: process, socket: socket)) }
        do {
            return .success(try RequestClient(context: context, endpoint: endpoint)
                .call(Polypipe_Bus_V1_SnapshotRequest(), expecting: type, timeoutMilliseconds: timeoutMilliseconds))
        } catch {
            return .failure(.noAnswer(process: process, socket: socket, "\(error)"))
        }
    }
}
