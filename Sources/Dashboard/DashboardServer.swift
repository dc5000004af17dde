import Bus
import Foundation
import Hummingbird
import Logging
import PolypipeCore
import PolypipeRuntime
import ServiceLifecycle
import VenueClient

/// The dashboard's HTTP side (Hummingbird), on a loopback address:
///
/// | route | what |
/// |---|---|
/// | `GET /` , `/app.js`, `/style.css` | the page, served from the binary (no CDN) |
/// | `GET /api/state` | ``DashboardModel`` as JSON |
/// | `GET /events` | server-sent events: the same JSON whenever it changed (at most twice a second) |
/// | `GET /metrics` | every process's Prometheus metrics, merged (the `--metrics-url`s) |
/// | `POST /api/halt`, `/api/cancel-all` | only with ``DashboardControl``; `Authorization: Bearer TOKEN` |
public enum DashboardServer {
    public struct Configuration: Sendable {
        public var host = "127.0.0.1"
        public var port = 5050
        /// The processes' `/metrics` URLs, merged at `/metrics`.
        public var metricsURLs: [String] = []
        public var control: DashboardControl?
        public init() {}
    }

    public static func application(store: DashboardStore, configuration: Configuration, logger: Logger,
                                   onRunning: @escaping @Sendable (Int) -> Void) -> some ApplicationProtocol {
        let router = Router()
        router.get("/") { _, _ in page(DashboardAssets.html, type: "text/html; charset=utf-8") }
        router.get("/app.js") { _, _ in page(DashboardAssets.script, type: "application/javascript; charset=utf-8") }
        router.get("/style.css") { _, _ in page(DashboardAssets.style, type: "text/css; charset=utf-8") }
        router.get("/api/state") { _, _ in
            page(state(store, control: configuration.control != nil), type: "application/json")
        }
        router.get("/events") { _, _ in
            Response(status: .ok, headers: [.contentType: "text/event-stream", .cacheControl: "no-cache"], body: ResponseBody { writer in
                var sent: UInt64 = .max
                var quiet = 0
                while !Task.isCancelled && !Task.isShuttingDownGracefully {
                    let version = store.version
                    if version != sent {
                        sent = version
                        quiet = 0
                        try await writer.write(ByteBuffer(string: "data: " + state(store, control: configuration.control != nil) + "\n\n"))
                    } else {
                        quiet += 1
                        if quiet % 30 == 0 { try await writer.write(ByteBuffer(string: ": keep-alive\n\n")) }
                    }
                    try await Task.sleep(for: .milliseconds(500))
                }
                try await writer.finish(nil)
            })
        }
        router.get("/metrics") { _, _ in
            let urls = configuration.metricsURLs
            let text = await BlockingCall.run { () -> String in
                urls.map { url -> String in
                    guard let answer = try? CurlTransport(baseURL: String(url.dropLast("/metrics".count)))
                        .send(VenueClient.HTTPRequest(method: "GET", target: "/metrics")), answer.status == 200 else {
                        return "# \(url) did not answer\n"
                    }
                    return "# from \(url)\n" + String(decoding: answer.body, as: UTF8.self)
                }.joined()
            }
            return page(text, type: "text/plain; version=0.0.4; charset=utf-8")
        }
        for command in DashboardControl.Command.allCases {
            router.post("/api/\(command.rawValue)") { request, _ in
                guard let control = configuration.control else {
                    return page(#"{"ok":false,"error":"this dashboard is read-only (no --control-token-file)"}"#, type: "application/json", status: .forbidden)
                }
                guard control.authorizes(request.headers[.authorization]) else {
                    return page(#"{"ok":false,"error":"missing or wrong operator token"}"#, type: "application/json", status: .unauthorized)
                }
                logger.notice("dashboard control", metadata: ["command": "\(command.rawValue)"])
                let result = await BlockingCall.run { () -> Result<Polypipe_Bus_V1_ControlReply, Error> in
                    do { return .success(try control.send(command)) } catch { return .failure(error) }
                }
                switch result {
                case .success(let reply):
                    return page(JSONWriter.serialize(.object([("ok", .bool(reply.ok)), ("error", .string(reply.error))])), type: "application/json")
                case .failure(let error):
                    return page(JSONWriter.serialize(.object([("ok", .bool(false)), ("error", .string("exec-proc did not answer: \(error)"))])),
                                type: "application/json", status: .badGateway)
                }
            }
        }
        return Application(router: router, configuration: .init(address: .hostname(configuration.host, port: configuration.port),
                                                                 serverName: "polypipe-dashboard"),
                           onServerRunning: { channel in onRunning(channel.localAddress?.port ?? 0) }, logger: logger)
    }

    static func state(_ store: DashboardStore, control: Bool) -> String {
        guard case .object(var fields) = store.model.json(nowMillis: BusClock.nowMillis()) else { return "{}" }
        fields.append((key: "control", value: .bool(control)))
        return JSONWriter.serialize(.object(fields))
    }

    private static func page(_ text: String, type: String, status: HTTPResponse.Status = .ok) -> Response {
        Response(status: status, headers: [.contentType: type], body: ResponseBody(byteBuffer: ByteBuffer(string: text)))
    }
}
