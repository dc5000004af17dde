import Foundation
import Testing
import PolypipeCore
import PolypipeTesting
import VenueClient

/// `clob-sim serve --mirror URL` as a process against an upstream clob-sim: its books follow
/// the upstream's, and after the upstream drops every WebSocket (its agents requoting
/// meanwhile) the mirror re-seeds and shows the upstream's book again.
extension ProcessSuites {
@Suite(.serialized) struct MirrorProcessTests {
    static func get(_ base: String, _ target: String) throws -> JSONValue {
        try JSONParser.parse(try CurlTransport(baseURL: base).send(HTTPRequest(method: "GET", target: target)).body)
    }

    /// The current 20-second window's Up token, from the upstream's Gamma events.
    static func upToken(_ base: String) throws -> String? {
        let slug = "btc-updown-20s-\(Int64(Date().timeIntervalSince1970) / 20 * 20)"
        let events = try get(base, "/events?slug=\(slug)")
        guard case .array(let list) = events, case .array(let markets)? = list.first?["markets"],
              let ids = markets.first?["clobTokenIds"]?.scalarText, case .array(let tokens) = try JSONParser.parse(ids) else { return nil }
        return tokens.first?.scalarText
    }

    /// Polls until both books of the upstream's current window read the same on the mirror.
    static func converges(_ upstream: String, _ mirror: String, within seconds: Double) -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if let token = try? upToken(upstream),
               let a = try? get(upstream, "/book?token_id=\(token)"), let b = try? get(mirror, "/book?token_id=\(token)"),
               a["bids"] == b["bids"], a["asks"] == b["asks"], a["bids"] != .array([]) {
                return true
            }
            usleep(100_000)
        }
        return false
    }

    @Test func theMirrorFollowsTheUpstreamsBooksAndReseedsAfterADroppedSocket() throws {
        let upstream = try ProcessHarness.start("clob-sim", ["serve", "--port", "0", "--seed", "9", "--windows", "20s"], readyPrefix: "listening on ")
        defer { upstream.kill() }
        let mirror = try ProcessHarness.start("clob-sim", ["serve", "--port", "0", "--mirror", upstream.readyLine, "--windows", "20s"],
                                              readyPrefix: "listening on ")
        defer { mirror.kill() }
        #expect(Self.converges(upstream.readyLine, mirror.readyLine, within: 15), "the mirror never showed the upstream's book")
        // Seconds 3–5 of a window: the mirror follows this window's books by then, and the
        // check below ends before the window rolls (a new window's books are followed afresh,
        // re-seeding or not).
        while !(3..<5).contains(Int64(Date().timeIntervalSince1970) % 20) { usleep(100_000) }

        let dropped = try CurlTransport(baseURL: upstream.readyLine).send(HTTPRequest(method: "POST", target: "/admin/drop-websockets", body: Array("{}".utf8)))
        #expect(dropped.status == 200)
        #expect(try Self.get(upstream.readyLine, "/admin/state")["client_orders"] == .number("0"))
        usleep(1_500_000)  // the upstream's agents requote at least once while the mirror is cut off
        #expect(Self.converges(upstream.readyLine, mirror.readyLine, within: 6), "the mirror did not re-seed after the drop")
    }
}
}
