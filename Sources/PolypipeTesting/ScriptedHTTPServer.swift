import Foundation
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// A tiny HTTP/1.1 server on 127.0.0.1 whose answers a test scripts: a status and body, a delay,
/// no answer at all (to provoke client timeouts), or a dropped connection. It records every
/// request and which connection carried it, so tests can also check keep-alive.
///
/// `@unchecked Sendable`: all mutable state sits behind `state`'s mutex; the sockets are only
/// touched by the thread that owns them (listener: accept thread; each connection: its thread).
public final class ScriptedHTTPServer: @unchecked Sendable {
    public indirect enum Reply: Sendable {
        case respond(status: Int, headers: [(String, String)] = [], body: String)
        case delay(milliseconds: Int, then: Reply)
        /// Read the request, never answer (until the server stops).
        case hang
        /// Read the request, then close the connection without answering.
        case drop
        /// Answer, then close the connection without saying so (a keep-alive connection the
        /// server dropped: the client learns of it only on its next request).
        case respondThenClose(Reply)
    }

    public struct Request: Sendable {
        public let method: String
        public let target: String
        public let headers: [String: String]
        public let body: [UInt8]
        public let connection: Int
        public var path: String { String(target.split(separator: "?", maxSplits: 1).first ?? "") }
        public var bodyText: String { String(decoding: body, as: UTF8.self) }
    }

    private struct State {
        var requests: [Request] = []
        var connections = 0
        var stopped = false
        var sockets: [Int32] = []
    }

    public let port: UInt16
    private let listener: Int32
    private let handler: @Sendable (Request) -> Reply
    private let state = Mutex(State())

    public init(handler: @escaping @Sendable (Request) -> Reply) throws {
        self.handler = handler
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw POSIXError(.EIO) }
        var one: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let bound = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
        guard bound == 0, listen(fd, 16) == 0 else { close(fd); throw POSIXError(.EADDRINUSE) }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) } }
        self.port = UInt16(bigEndian: address.sin_port)
        self.listener = fd
        let thread = Thread { [self] in acceptLoop() }
        thread.start()
    }

    public var baseURL: String { "http://127.0.0.1:\(port)" }
    public var requests: [Request] { state.withLock { $0.requests } }
    public var connectionCount: Int { state.withLock { $0.connections } }

    /// Wakes every blocked thread; each thread closes its own socket, so a descriptor number is
    /// never closed or shut down after another test may have been given it.
    public func stop() {
        state.withLock { state in
            guard !state.stopped else { return }
            state.stopped = true
            shutdown(listener, Int32(SHUT_RDWR))
            for socket in state.sockets { shutdown(socket, Int32(SHUT_RDWR)) }
        }
    }

    private func acceptLoop() {
        defer { close(listener) }
        while true {
            let client = accept(listener, nil, nil)
            if client < 0 { return }
            var one: Int32 = 1
            setsockopt(client, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
            let number: Int? = state.withLock { state in
                guard !state.stopped else { return nil }
                state.connections += 1
                state.sockets.append(client)
                return state.connections
            }
            guard let number else { close(client); return }
            let thread = Thread { [self] in serve(client, connection: number) }
            thread.start()
        }
    }

    private func serve(_ socket: Int32, connection: Int) {
        defer {
            state.withLock { state in
                state.sockets.removeAll { $0 == socket }
                close(socket)
            }
        }
        var buffer: [UInt8] = []
        while let request = readRequest(socket, buffer: &buffer, connection: connection) {
            state.withLock { $0.requests.append(request) }
            guard answer(handler(request), on: socket) else { return }
        }
    }

    /// Returns false when the connection must end.
    private func answer(_ reply: Reply, on socket: Int32) -> Bool {
        switch reply {
        case .respond(let status, let headers, let body):
            var text = "HTTP/1.1 \(status) Scripted\r\nContent-Length: \(body.utf8.count)\r\nContent-Type: application/json\r\n"
            for header in headers { text += "\(header.0): \(header.1)\r\n" }
            text += "\r\n" + body
            let bytes = Array(text.utf8)
            var sent = 0
            while sent < bytes.count {
                let count = bytes[sent...].withUnsafeBytes { send(socket, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
                if count <= 0 { return false }
                sent += count
            }
            return true
        case .delay(let milliseconds, let then):
            usleep(useconds_t(milliseconds * 1000))
            return answer(then, on: socket)
        case .hang:
            var byte: UInt8 = 0
            _ = recv(socket, &byte, 1, 0)  // blocks until the client gives up or the server stops
            return false
        case .drop:
            return false
        case .respondThenClose(let reply):
            _ = answer(reply, on: socket)
            return false
        }
    }

    private func readRequest(_ socket: Int32, buffer: inout [UInt8], connection: Int) -> Request? {
        let separator: [UInt8] = [13, 10, 13, 10]
        var headerEnd: Int?
        while headerEnd == nil {
            if let range = buffer.firstRange(of: separator) { headerEnd = range.upperBound; break }
            guard receive(socket, into: &buffer) else { return nil }
        }
        guard let end = headerEnd else { return nil }
        let head = String(decoding: buffer[..<(end - 4)], as: UTF8.self)
        var lines = head.components(separatedBy: "\r\n")
        let requestLine = lines.removeFirst().split(separator: " ")
        guard requestLine.count >= 2 else { return nil }
        var headers: [String: String] = [:]
        for line in lines {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        let length = Int(headers["content-length"] ?? "0") ?? 0
        while buffer.count < end + length {
            guard receive(socket, into: &buffer) else { return nil }
        }
        let body = Array(buffer[end..<(end + length)])
        buffer.removeFirst(end + length)
        return Request(method: String(requestLine[0]), target: String(requestLine[1]), headers: headers, body: body, connection: connection)
    }

    private func receive(_ socket: Int32, into buffer: inout [UInt8]) -> Bool {
        var chunk = [UInt8](repeating: 0, count: 16_384)
        let count = chunk.withUnsafeMutableBytes { recv(socket, $0.baseAddress, $0.count, 0) }
        guard count > 0 else { return false }
        buffer.append(contentsOf: chunk[..<count])
        return true
    }
}
