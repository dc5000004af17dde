import Foundation
import Testing
import PolypipeCore
import PolypipeTesting
import VenueClient

/// exec-proc's `/metrics` as a process serves it: `--metrics-address 127.0.0.1:0` picks a
/// port, logs it, and a scrape after one order shows the order, its stages and the status
/// gauges.
extension ProcessSuites {
@Suite(.serialized) struct ExecMetricsProcessTests {
    @Test func execProcServesItsMetricsOnLoopback() throws {
        let stack = try ExecStack(execArguments: ["--metrics-address", "127.0.0.1:0"])
        let log = try String(contentsOfFile: stack.execLog, encoding: .utf8)
        let url = try #require(log.split(separator: " ").first { $0.hasPrefix("metrics.url=") }).dropFirst("metrics.url=".count)
        #expect(url.hasPrefix("http://127.0.0.1:") && url.hasSuffix("/metrics"), "\(url)")
        let window = try stack.currentWindow()
        try stack.send(ExecStack.action(id: "metrics-1", market: window.market, token: window.token, price: 450_000))
        let event = try stack.event(for: "metrics-1")
        #expect(event.outcome == .accepted, "\(event.reason)")
        usleep(1_200_000)  // one status tick

        let base = String(url.dropLast("/metrics".count))
        let text = String(decoding: try CurlTransport(baseURL: base).send(HTTPRequest(method: "GET", target: "/metrics")).body, as: UTF8.self)
        #expect(text.contains(#"polypipe_orders_total{outcome="accepted"} 1"#), "\(text)")
        for stage in ["received", "validated", "signed", "journaled", "sent", "answered"] {
            #expect(text.contains(#"polypipe_stage_latency_seconds_count{stage="\#(stage)"} 1"#), "\(stage): \(text)")
        }
        #expect(text.contains("polypipe_trading_state 0") && text.contains("polypipe_open_orders 1"), "\(text)")
        #expect(text.contains("polypipe_exposure_micros 2250000"), "5 shares at 0.45: \(text)")
        #expect(text.contains(#"polypipe_ratelimit_headroom_tokens{bucket="orders"} "#), "the signer's headroom: \(text)")
        #expect(text.contains("polypipe_process_start_time_seconds "), "\(text)")
        // Every sample line parses as `name{labels} value`.
        for line in text.split(separator: "\n") where !line.hasPrefix("#") {
            let parts = line.split(separator: " ")
            #expect(parts.count == 2 && Double(parts[1]) != nil && parts[0].hasPrefix("polypipe_"), "\(line)")
        }
    }
}
}
