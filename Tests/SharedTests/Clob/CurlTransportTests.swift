import PolypipeTesting
import Foundation
import Testing
import VenueClient

@Suite struct CurlTransportTests {
    @Test func sendsMethodTargetHeadersAndBodyAndReusesTheConnection() throws {
        let server = try ScriptedHTTPServer { request in
            .respond(status: 200, headers: [("X-Echo", request.method)], body: #"{"ok":true}"#)
        }
        defer { server.stop() }
        let transport = try CurlTransport(baseURL: server.baseURL + "/")
        let first = try transport.send(HTTPRequest(method: "POST", target: "/order?x=1", headers: [("POLY_API_KEY", "k")], body: Array(#"{"a":"b"}"#.utf8)))
        let second = try transport.send(HTTPRequest(method: "DELETE", target: "/order", body: Array("[]".utf8)))
        let third = try transport.send(HTTPRequest(method: "GET", target: "/book?token_id=1"))
        #expect(first.status == 200 && first.bodyText == #"{"ok":true}"#)
        #expect(first.header("x-echo") == "POST" && second.header("X-ECHO") == "DELETE" && third.header("x-echo") == "GET")
        let seen = server.requests
        #expect(seen.map(\.method) == ["POST", "DELETE", "GET"])
        #expect(seen[0].target == "/order?x=1" && seen[0].bodyText == #"{"a":"b"}"# && seen[0].headers["poly_api_key"] == "k")
        #expect(seen[1].bodyText == "[]")
        #expect(seen[2].body.isEmpty)
        #expect(server.connectionCount == 1, "keep-alive: three requests, one connection")
    }

    @Test func aClosedPortIsCertainlyNotSent() throws {
        let server = try ScriptedHTTPServer { _ in .respond(status: 200, body: "{}") }
        let url = server.baseURL
        server.stop()
        let transport = try CurlTransport(baseURL: url, timeouts: .init(connectMilliseconds: 500, totalMilliseconds: 1000))
        do {
            _ = try transport.send(HTTPRequest(method: "POST", target: "/order", body: [1]))
            Issue.record("a request to a closed port succeeded")
        } catch {
            #expect(error.certainlyNotSent, "\(error)")
        }
    }

    @Test func aSilentServerTimesOutAsMaybeSent() throws {
        let server = try ScriptedHTTPServer { _ in .hang }
        defer { server.stop() }
        let transport = try CurlTransport(baseURL: server.baseURL, timeouts: .init(connectMilliseconds: 500, totalMilliseconds: 300))
        do {
            _ = try transport.send(HTTPRequest(method: "POST", target: "/order", body: [1]))
            Issue.record("a request without an answer succeeded")
        } catch {
            guard case .timedOut = error else { Issue.record("expected a timeout, got \(error)"); return }
            #expect(!error.certainlyNotSent)
        }
        #expect(server.requests.count == 1, "the request did reach the server")
    }

    @Test func aDroppedConnectionIsMaybeSent() throws {
        let server = try ScriptedHTTPServer { _ in .drop }
        defer { server.stop() }
        let transport = try CurlTransport(baseURL: server.baseURL, timeouts: .init(connectMilliseconds: 500, totalMilliseconds: 2000))
        do {
            _ = try transport.send(HTTPRequest(method: "POST", target: "/order", body: [1]))
            Issue.record("a dropped request succeeded")
        } catch {
            #expect(!error.certainlyNotSent, "\(error)")
        }
    }
}
