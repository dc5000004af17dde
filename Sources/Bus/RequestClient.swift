import SwiftProtobuf

/// One request, one reply, with a deadline: how `polypipe` talks to exec-proc's control socket
/// and how a subscriber asks a publisher for a snapshot.
///
/// Each call uses a fresh REQ socket, so a lost reply never wedges the next request (a REQ
/// socket that sent and got no answer can send nothing else).
public struct RequestClient: Sendable {
    public let context: ZmqContext
    public let endpoint: String

    public init(context: ZmqContext, endpoint: String) {
        self.context = context
        self.endpoint = endpoint
    }

    /// Sends `request` and waits up to `timeoutMilliseconds` for a reply of type `Reply`.
    public func call<Reply: SwiftProtobuf.Message>(_ request: some SwiftProtobuf.Message, expecting: Reply.Type,
                                                   timeoutMilliseconds: Int32 = 5_000) throws(BusError) -> Reply {
        let socket = try ZmqSocket(context, .request)
        try socket.connect(endpoint)
        try socket.send([request.busPayload])
        guard let frames = try socket.receive(timeoutMilliseconds: timeoutMilliseconds) else {
            throw .timeout(endpoint: endpoint, milliseconds: timeoutMilliseconds)
        }
        guard frames.count == 1 else { throw .malformed(topic: "reply", reason: "expected 1 frame, got \(frames.count)") }
        return try Reply(busPayload: frames[0], topic: "reply")
    }
}

/// The server side: a ROUTER socket that answers REQ clients one message at a time.
public final class RequestServer {
    public let socket: ZmqSocket

    public init(socket: ZmqSocket) { self.socket = socket }

    /// A request waiting for its reply: keep `identity` and pass it back to ``reply(to:with:)``.
    public struct Request {
        public let identity: [UInt8]
        public let payload: [UInt8]
    }

    /// Reads one queued request. - Throws: ``BusError/malformed(topic:reason:)`` when the frames
    /// are not `identity | empty | payload` (the request is dropped; nothing else changes).
    public func nextRequest() throws(BusError) -> Request? {
        guard let frames = try socket.receiveNow() else { return nil }
        guard frames.count == 3, frames[1].isEmpty else {
            throw .malformed(topic: "request", reason: "expected identity, empty delimiter and payload, got \(frames.count) frames")
        }
        return Request(identity: frames[0], payload: frames[2])
    }

    public func reply(to request: Request, with message: some SwiftProtobuf.Message) throws(BusError) {
        try socket.send([request.identity, [], message.busPayload])
    }

    /// Answers every queued request with what `answer` returns. A request whose frames are
    /// malformed is dropped and passed to `malformed`; a reply that cannot be sent is passed to
    /// `failed` (the client times out and asks again). Never throws: one bad peer must not stop
    /// a server.
    public func answerAll<Reply: SwiftProtobuf.Message>(malformed: (BusError) -> Void = { _ in }, failed: (BusError) -> Void = { _ in },
                                                        _ answer: (Request) -> Reply) {
        while true {
            let request: Request
            do {
                guard let next = try nextRequest() else { return }
                request = next
            } catch {
                malformed(error)
                continue
            }
            do { try reply(to: request, with: answer(request)) } catch { failed(error) }
        }
    }
}
