import Bus
import Crypto
import Foundation

/// The dashboard's two buttons, halt and cancel-all: offered only when the dashboard was given
/// exec-proc's control socket and an operator token (`polypipe dashboard --control-token-file`).
///
/// Rules:
/// - A request must carry `Authorization: Bearer TOKEN`; the comparison is constant-time.
/// - The token is read from a file (never argv) and is at least 16 characters.
/// - Each command goes to exec-proc with a reason naming the dashboard; exec-proc journals it.
public struct DashboardControl: Sendable {
    public enum Command: String, Sendable, CaseIterable {
        case halt
        case cancelAll = "cancel-all"
    }

    let layout: BusLayout
    private let token: [UInt8]

    /// - Throws: a message naming what is wrong with the token file.
    public init(layout: BusLayout, tokenFile: String) throws {
        guard let data = FileManager.default.contents(atPath: tokenFile) else {
            throw DashboardError.control("cannot read the token file \(tokenFile)")
        }
        let token = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        guard token.count >= 16 else { throw DashboardError.control("the token in \(tokenFile) is shorter than 16 characters") }
        self.layout = layout
        self.token = Array(token.utf8)
    }

    /// Whether `header` (the Authorization field) carries the token.
    public func authorizes(_ header: String?) -> Bool {
        guard let header, header.hasPrefix("Bearer ") else { return false }
        let given = Array(header.dropFirst("Bearer ".count).utf8)
        // Equal-length digests compared in full: the time taken says nothing about the token.
        let a = Array(SHA256.hash(data: given)), b = Array(SHA256.hash(data: token))
        return zip(a, b).reduce(UInt8(0)) { $0 | ($1.0 ^ $1.1) } == 0
    }

    /// Sends `command` to exec-proc. - Returns: exec-proc's reply.
    public func send(_ command: Command) throws -> Polypipe_Bus_V1_ControlReply {
        var request = Polypipe_Bus_V1_ControlRequest()
        request.command = command == .halt ? .halt : .cancelAll
        request.reason = "polypipe dashboard: \(command.rawValue)"
        return try RequestClient(context: try ZmqContext(), endpoint: layout.control)
            .call(request, expecting: Polypipe_Bus_V1_ControlReply.self, timeoutMilliseconds: 5_000)
    }
}

/// Why the dashboard cannot start or act.
public enum DashboardError: Error, CustomStringConvertible {
    case control(String)

    public var description: String {
        switch self {
        case .control(let why): return "control: \(why)"
        }
    }
}
