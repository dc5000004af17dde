import PolypipeTesting
import Foundation
import Logging
import Testing
import Bus
import Execution
import PolypipeCore
import PolypipeRuntime
import VenueClient

/// Paper mode never reaches a venue that has not proved it is a simulator (issue 13, item 1):
/// no L1 signature, no API-key request, no heartbeat, no order.
@Suite struct PaperVenueTests {
    /// A stand-in that answers like the real CLOB: no `/sim/identity`, but API keys, heartbeats
    /// and orders as the venue gives them.
    static func realLikeVenue() throws -> ScriptedHTTPServer {
        try ScriptedHTTPServer { request in
            switch request.path {
            case "/auth/derive-api-key", "/auth/api-key":
                return .respond(status: 200, body: #"{"apiKey":"4f6e9d2c-1b7a-4c3e-9f00-5a1b2c3d4e5f","secret":"c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0","passphrase":"p"}"#)
            case "/v1/heartbeats": return .respond(status: 200, body: #"{"heartbeat_id":"h1"}"#)
            case "/version": return .respond(status: 200, body: #"{"version":2}"#)
            case "/time": return .respond(status: 200, body: "1780000000")
            default: return .respond(status: 404, body: #"{"error":"not found"}"#)
            }
        }
    }

    /// A simulator's identity answer on the connections `proves` accepts, 404 on the others;
    /// every other request answered 200 and, with `closeAfterEach`, its connection closed.
    static func simulator(closeAfterEach: Bool, proves: @escaping @Sendable (Int) -> Bool = { _ in true }) throws -> ScriptedHTTPServer {
        try ScriptedHTTPServer { request in
            let close: [(String, String)] = closeAfterEach ? [("Connection", "close")] : []
            if request.path == SimulatorIdentity.path {
                guard proves(request.connection) else { return .respond(status: 404, body: #"{"error":"not found"}"#) }
                let challenge = String(request.target.split(separator: "=").last ?? "")
                return .respond(status: 200, body: JSONWriter.serialize(SimulatorIdentity.answer(challenge: challenge)))
            }
            return .respond(status: 200, headers: close, body: "{}")
        }
    }

    static func isAuthenticated(_ request: ScriptedHTTPServer.Request) -> Bool {
        request.headers.keys.contains { $0.lowercased().hasPrefix("poly_") }
    }

    @Test func execProcInPaperModeRefusesAVenueThatAnswersLikeTheRealClob() throws {
        let venue = try Self.realLikeVenue()
        defer { venue.stop() }
        let directory = NSTemporaryDirectory() + "paper-refusal-\(UUID().uuidString.prefix(8))"
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let settings = ExecService.Settings(mode: .paper, venueURL: venue.baseURL, chain: .polygon,
                                            layout: BusLayout(runtimeDirectory: directory), journalPath: directory + "/journal.sqlite",
                                            limits: .paperDefaults)
        let service = ExecService(settings: settings, key: ExecutorPropertyTests.key, logger: Logger(label: "test"))
        let stop = ManualStop()
        let error = #expect(throws: StartupFailure.self) { try service.run(runtime: stop.runtime()) }
        #expect(stop.readyCount == 0)
        let text = error?.description ?? ""
        #expect(text.contains("paper mode trades only against a simulator"))
        #expect(text.contains("--mode live --live"))
        #expect(text.contains("GET /sim/identity answered HTTP 404"))
        // The stand-in was asked who it is, and nothing else: no L1 signature, key request,
        // heartbeat or order reached it.
        #expect(!venue.requests.isEmpty)
        #expect(venue.requests.allSatisfy { $0.path == SimulatorIdentity.path && !Self.isAuthenticated($0) })
        #expect(!FileManager.default.fileExists(atPath: directory + "/journal.sqlite"))
    }

    @Test func productionHostsAreRefusedByNameBeforeAnyConnection() {
        for url in ["https://clob.polymarket.com", "https://CLOB.Polymarket.com/", "https://clob-staging.polymarket.com",
                    "https://gamma-api.polymarket.com", "https://some-new-host.polymarket.com:8443"] {
            #expect(throws: TransportError.self, "\(url)") { _ = try CurlTransport(baseURL: url, policy: .provenSimulatorOnly) }
            #expect(ProductionVenue.host(of: url) != nil, "\(url)")
        }
        for url in ["http://127.0.0.1:8080", "https://polymarket.com.example.org", "http://sim.internal:8080"] {
            #expect(ProductionVenue.host(of: url) == nil, "\(url)")
        }
        // Without the paper policy (dry-run, live) the production venue is a valid choice.
        #expect(throws: Never.self) { _ = try CurlTransport(baseURL: "https://clob.polymarket.com") }
    }

    @Test func everyNewConnectionIsProvedBeforeItCarriesARequest() throws {
        let sim = try Self.simulator(closeAfterEach: true)
        defer { sim.stop() }
        let transport = try CurlTransport(baseURL: sim.baseURL, policy: .provenSimulatorOnly)
        for _ in 0..<3 {
            let response = try transport.send(HTTPRequest(method: "GET", target: "/book?token_id=1"))
            #expect(response.status == 200)
        }
        // Each request came on a new connection (the server closed each), and each connection
        // answered a challenge before it carried the request.
        let requests = sim.requests
        #expect(requests.count == 6)
        for connection in Set(requests.map(\.connection)) {
            let onIt = requests.filter { $0.connection == connection }.map(\.path)
            #expect(onIt == [SimulatorIdentity.path, "/book"], "connection \(connection)")
        }
    }

    @Test func aReconnectToSomethingElseIsRefusedBeforeTheRequestLeaves() throws {
        // The first connection proves itself; after the server closes it, whatever answers the
        // next connection does not.
        let server = try Self.simulator(closeAfterEach: true, proves: { $0 == 1 })
        defer { server.stop() }
        let transport = try CurlTransport(baseURL: server.baseURL, policy: .provenSimulatorOnly)
        #expect(try transport.send(HTTPRequest(method: "GET", target: "/book?token_id=1")).status == 200)
        let order = HTTPRequest(method: "POST", target: "/order", headers: [("POLY_ADDRESS", "0xabc"), ("POLY_SIGNATURE", "sig")],
                                body: Array(#"{"order":{}}"#.utf8))
        let error = #expect(throws: TransportError.self) { _ = try transport.send(order) }
        guard case .notASimulator(let refusal)? = error else { Issue.record("expected a refusal, got \(String(describing: error))"); return }
        #expect(refusal.description.contains("did not prove it is one"))
        #expect(error?.certainlyNotSent == true)
        #expect(!server.requests.contains { $0.path == "/order" || Self.isAuthenticated($0) })
    }

    @Test func aSilentlyDroppedConnectionIsReplacedOnlyAfterAProof() throws {
        // The server drops the keep-alive connection without a word; libcurl notices only when it
        // reuses it and connects again. That new connection must not carry the order unproved.
        let server = try ScriptedHTTPServer { request in
            if request.path == SimulatorIdentity.path {
                guard request.connection == 1 else { return .respond(status: 404, body: #"{"error":"not found"}"#) }
                let challenge = String(request.target.split(separator: "=").last ?? "")
                return .respond(status: 200, body: JSONWriter.serialize(SimulatorIdentity.answer(challenge: challenge)))
            }
            return .respondThenClose(.respond(status: 200, body: "{}"))
        }
        defer { server.stop() }
        let transport = try CurlTransport(baseURL: server.baseURL, policy: .provenSimulatorOnly)
        #expect(try transport.send(HTTPRequest(method: "GET", target: "/book?token_id=1")).status == 200)
        usleep(50_000)  // the server has closed its end by now
        let order = HTTPRequest(method: "POST", target: "/order", headers: [("POLY_ADDRESS", "0xabc")], body: Array("{}".utf8))
        let error = #expect(throws: TransportError.self) { _ = try transport.send(order) }
        #expect(error?.certainlyNotSent == true)
        #expect(server.requests.map(\.path) == [SimulatorIdentity.path, "/book", SimulatorIdentity.path])
    }

    @Test func anyPolicySendsWithoutProof() throws {
        let venue = try Self.realLikeVenue()
        defer { venue.stop() }
        let transport = try CurlTransport(baseURL: venue.baseURL)
        #expect(try transport.send(HTTPRequest(method: "GET", target: "/version")).status == 200)
        #expect(venue.requests.map(\.path) == ["/version"])
    }

    @Test func readOnlyCredentialsFromPaperModeReachOnlyProvenSimulators() throws {
        let venue = try Self.realLikeVenue()
        defer { venue.stop() }
        let path = NSTemporaryDirectory() + "readonly-\(UUID().uuidString.prefix(8)).json"
        defer { unlink(path) }
        let credentials = ApiCredentials(apiKey: "4f6e9d2c-1b7a-4c3e-9f00-5a1b2c3d4e5f", secret: "c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0", passphrase: "p")
        // An older file without "simulator_only" counts as simulator-only.
        let legacy = #"{"address":"\#(ExecutorPropertyTests.key.address.checksummed)","apiKey":"\#(credentials.apiKey)","secret":"\#(credentials.secret)","passphrase":"p"}"#
        #expect(FileManager.default.createFile(atPath: path, contents: Data(legacy.utf8), attributes: [.posixPermissions: 0o600]))
        let read = try VenueCredentialsFile(path: path)
        #expect(read.simulatorOnly)
        let error = #expect(throws: PaperModeRefusal.self) { _ = try read.client(venueURL: venue.baseURL, chain: .polygon, totalTimeoutMillis: 1_000) }
        #expect(error?.description.contains("did not prove it is one") == true)
        #expect(venue.requests.allSatisfy { $0.path == SimulatorIdentity.path && !Self.isAuthenticated($0) })

        // Written by a live or dry-run exec-proc: the configured venue, no proof asked.
        unlink(path)
        try VenueCredentialsFile(address: ExecutorPropertyTests.key.address, credentials: credentials, simulatorOnly: false).write(to: path, mode: 0o600)
        let live = try VenueCredentialsFile(path: path)
        #expect(!live.simulatorOnly)
        let before = venue.requests.count
        _ = try? live.client(venueURL: venue.baseURL, chain: .polygon, totalTimeoutMillis: 1_000).serverTime()
        #expect(venue.requests.count == before + 1)
    }

    @Test func paperStreamsMustBeServedByTheProvenSimulator() {
        #expect(PaperModeRefusal.checkStream("ws://127.0.0.1:8080/ws/user", venueURL: "http://127.0.0.1:8080") == nil)
        #expect(PaperModeRefusal.checkStream("wss://ws-subscriptions-clob.polymarket.com/ws/user", venueURL: "http://127.0.0.1:8080")
                == .productionHost(url: "wss://ws-subscriptions-clob.polymarket.com/ws/user", host: "ws-subscriptions-clob.polymarket.com"))
        #expect(PaperModeRefusal.checkStream("ws://127.0.0.1:9090/ws/user", venueURL: "http://127.0.0.1:8080") != nil)
        #expect(PaperModeRefusal.checkStream("ws://10.0.0.7:8080/ws/user", venueURL: "http://127.0.0.1:8080") != nil)
    }
}
