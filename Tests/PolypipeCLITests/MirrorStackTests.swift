import Foundation
import Testing
import PolypipeCore
import PolypipeTesting
import VenueClient

/// Paper on an upstream's real books: `polypipe up --mirror URL` against another clob-sim (the
/// upstream). The whole stack runs unchanged against the mirror; our orders fill there, at the
/// upstream's prices with the market's fees, and not one of them reaches the upstream.
@Suite(.serialized) struct MirrorStackTests {
    @Test func aShadowStackFillsLocallyAndSendsNothingUpstream() throws {
        let upstream = try ProcessHarness.start("clob-sim", ["serve", "--port", "0", "--seed", "21", "--windows", "20s"], readyPrefix: "listening on ")
        defer { upstream.kill() }
        let scratch = try Scratch()
        defer { scratch.remove() }
        let run = try UpHarness(["up", "--mirror", upstream.readyLine, "--window", "20s", "--duration", "45", "--seed", "3"], xdgRuntimeDir: scratch.path)
        let status = run.waitForExit(within: 150)
        #expect(status == 0, "\(run.stderr.suffix(3_000))")
        let out = run.stdout
        // The end-of-run report: orders placed and filled against the mirrored books, fees paid.
        let fills = out.split(separator: "\n").first { $0.contains("fills ") }.flatMap { line in
            line.split(separator: " ").compactMap { Int($0) }.first
        }
        #expect((fills ?? 0) > 0, "no fills in the shadow run:\n\(out)")
        #expect(out.contains("state             in sync"), "\(out)")
        #expect(!out.contains("fees paid         0.000000"), "the crypto windows' taker fee applies on the mirror: \(out)")
        // The upstream never saw one of our orders.
        let answer = try CurlTransport(baseURL: upstream.readyLine).send(HTTPRequest(method: "GET", target: "/admin/state"))
        let state = try JSONParser.parse(answer.body)
        #expect(state["client_orders"] == .number("0") && state["post_order_requests"] == .number("0"), "\(state)")
        #expect(run.stderr.contains("[clob-sim]"), "the mirror ran as the stack's clob-sim")
    }
}
