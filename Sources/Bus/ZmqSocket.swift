import CZmq
#if canImport(Glibc)
import Glibc
#endif

/// A libzmq context: one per process, shared by every socket. This is the only file that
/// imports `CZmq`.
///
/// `@unchecked Sendable`: libzmq documents a context as thread-safe; the handle is set once in
/// `init` and only destroyed in `deinit`, when no socket can still use it (each socket keeps
/// its context alive).
public final class ZmqContext: @unchecked Sendable {
    let handle: UnsafeMutableRawPointer

    public init() throws(BusError) {
        guard let context = zmq_ctx_new() else { throw ZmqSocket.lastError("zmq_ctx_new") }
        handle = context
    }

    deinit { zmq_ctx_term(handle) }
}

/// One ZeroMQ socket. Not thread-safe (a libzmq rule): create and use it on one thread, or
/// hand it over between threads with a happens-before edge.
public final class ZmqSocket {
    public enum Kind: Sendable {
        case publish, subscribe, push, pull, router, dealer, request, reply

        var raw: Int32 {
            switch self {
            case .publish: return ZMQ_PUB
            case .subscribe: return ZMQ_SUB
            case .push: return ZMQ_PUSH
            case .pull: return ZMQ_PULL
            case .router: return ZMQ_ROUTER
            case .dealer: return ZMQ_DEALER
            case .request: return ZMQ_REQ
            case .reply: return ZMQ_REP
            }
        }
    }

    private let context: ZmqContext
    private let handle: UnsafeMutableRawPointer

    public init(_ context: ZmqContext, _ kind: Kind) throws(BusError) {
        guard let socket = zmq_socket(context.handle, kind.raw) else { throw Self.lastError("zmq_socket") }
        self.context = context
        self.handle = socket
        var linger: Int32 = 0  // never block process exit on unsent messages
        _ = zmq_setsockopt(handle, ZMQ_LINGER, &linger, MemoryLayout<Int32>.size)
    }

    deinit { zmq_close(handle) }

    /// `ipc://` or `tcp://` only.
    static func check(_ endpoint: String) throws(BusError) {
        guard endpoint.hasPrefix("ipc://") || endpoint.hasPrefix("tcp://") else { throw .badEndpoint(endpoint) }
    }

    public func bind(_ endpoint: String) throws(BusError) {
        try Self.check(endpoint)
        guard zmq_bind(handle, endpoint) == 0 else { throw Self.lastError("zmq_bind(\(endpoint))") }
    }

    public func connect(_ endpoint: String) throws(BusError) {
        try Self.check(endpoint)
        guard zmq_connect(handle, endpoint) == 0 else { throw Self.lastError("zmq_connect(\(endpoint))") }
    }

    /// SUB only: receive topics starting with `prefix` ("" = everything).
    public func subscribe(_ prefix: String) throws(BusError) {
        let bytes = Array(prefix.utf8)
        let result = bytes.withUnsafeBytes { zmq_setsockopt(handle, ZMQ_SUBSCRIBE, $0.baseAddress, $0.count) }
        guard result == 0 else { throw Self.lastError("zmq_setsockopt(ZMQ_SUBSCRIBE)") }
    }

    /// Sends one multipart message.
    public func send(_ frames: [[UInt8]]) throws(BusError) {
        for (index, frame) in frames.enumerated() {
            let flags = index < frames.count - 1 ? ZMQ_SNDMORE : 0
            let sent = frame.withUnsafeBytes { zmq_send(handle, $0.baseAddress, $0.count, flags) }
            guard sent >= 0 else { throw Self.lastError("zmq_send") }
        }
    }

    /// Receives one multipart message, waiting at most `timeoutMilliseconds` (-1 = forever).
    /// - Returns: nil on timeout.
    public func receive(timeoutMilliseconds: Int32) throws(BusError) -> [[UInt8]]? {
        var item = zmq_pollitem_t(socket: handle, fd: 0, events: Int16(ZMQ_POLLIN), revents: 0)
        let ready = zmq_poll(&item, 1, Int(timeoutMilliseconds))
        guard ready >= 0 else {
            if zmq_errno() == EINTR { return nil }  // a signal arrived: the caller checks and polls again
            throw Self.lastError("zmq_poll")
        }
        guard ready > 0 else { return nil }
        var frames: [[UInt8]] = []
        while true {
            var message = zmq_msg_t()
            zmq_msg_init(&message)
            defer { zmq_msg_close(&message) }
            guard zmq_msg_recv(&message, handle, 0) >= 0 else { throw Self.lastError("zmq_msg_recv") }
            let size = zmq_msg_size(&message)
            if let data = zmq_msg_data(&message) {
                frames.append(Array(UnsafeRawBufferPointer(start: data, count: size)))
            } else {
                frames.append([])
            }
            guard zmq_msg_more(&message) == 1 else { return frames }
        }
    }

    /// Receives one multipart message if one is already queued, without waiting.
    public func receiveNow() throws(BusError) -> [[UInt8]]? {
        try receive(timeoutMilliseconds: 0)
    }

    /// Queue limit per peer in each direction (ZMQ_SNDHWM / ZMQ_RCVHWM); beyond it PUB drops
    /// and PUSH blocks (or fails with `sendNow`).
    public func setHighWaterMark(_ messages: Int32) throws(BusError) {
        var value = messages
        guard zmq_setsockopt(handle, ZMQ_SNDHWM, &value, MemoryLayout<Int32>.size) == 0,
              zmq_setsockopt(handle, ZMQ_RCVHWM, &value, MemoryLayout<Int32>.size) == 0
        else { throw Self.lastError("zmq_setsockopt(HWM)") }
    }

    /// Sends without blocking. - Returns: false when the peer queue is full or no peer is
    /// connected (PUSH); the message was not sent.
    @discardableResult
    public func sendNow(_ frames: [[UInt8]]) throws(BusError) -> Bool {
        for (index, frame) in frames.enumerated() {
            let flags = (index < frames.count - 1 ? ZMQ_SNDMORE : 0) | ZMQ_DONTWAIT
            let sent = frame.withUnsafeBytes { zmq_send(handle, $0.baseAddress, $0.count, flags) }
            if sent < 0 {
                // Only the first frame can hit a full queue; later frames of a started message
                // always go (ZeroMQ delivers multipart messages atomically).
                if zmq_errno() == EAGAIN && index == 0 { return false }
                throw Self.lastError("zmq_send")
            }
        }
        return true
    }

    /// Waits until one of `sockets` has a message or `timeoutMilliseconds` pass (-1 = forever).
    /// - Returns: for each socket, whether it is readable.
    public static func poll(_ sockets: [ZmqSocket], timeoutMilliseconds: Int32) throws(BusError) -> [Bool] {
        var items = sockets.map { zmq_pollitem_t(socket: $0.handle, fd: 0, events: Int16(ZMQ_POLLIN), revents: 0) }
        let ready = zmq_poll(&items, Int32(items.count), Int(timeoutMilliseconds))
        if ready < 0 {
            if zmq_errno() == EINTR { return Array(repeating: false, count: sockets.count) }
            throw Self.lastError("zmq_poll")
        }
        return items.map { $0.revents & Int16(ZMQ_POLLIN) != 0 }
    }

    /// Like ``poll(_:timeoutMilliseconds:)``, also watching plain file descriptors (a
    /// ``Wakeup``). - Returns: readiness of each socket, then of each descriptor.
    public static func poll(_ sockets: [ZmqSocket], fileDescriptors: [Int32], timeoutMilliseconds: Int32) throws(BusError) -> [Bool] {
        var items = sockets.map { zmq_pollitem_t(socket: $0.handle, fd: 0, events: Int16(ZMQ_POLLIN), revents: 0) }
        items += fileDescriptors.map { zmq_pollitem_t(socket: nil, fd: $0, events: Int16(ZMQ_POLLIN), revents: 0) }
        let ready = zmq_poll(&items, Int32(items.count), Int(timeoutMilliseconds))
        if ready < 0 {
            if zmq_errno() == EINTR { return Array(repeating: false, count: items.count) }
            throw Self.lastError("zmq_poll")
        }
        return items.map { $0.revents & Int16(ZMQ_POLLIN) != 0 }
    }

    static func lastError(_ function: String) -> BusError {
        let code = zmq_errno()
        return .zmq(function: function, errno: code, message: String(cString: zmq_strerror(code)))
    }
}
