import Foundation
import Logging
import Testing
import PolypipeMetrics
import Prometheus
import VenueClient

/// The loopback `/metrics` endpoint.
@Suite struct MetricsEndpointTests {
    @Test func onlyLoopbackAddressesAreAccepted() throws {
        #expect(try LoopbackAddress("127.0.0.1:9101") == LoopbackAddress(port: 9101))
        #expect(try LoopbackAddress("localhost:0") == LoopbackAddress(port: 0))
        #expect(try LoopbackAddress("9102").port == 9102)
        #expect(throws: MetricsError.self) { try LoopbackAddress("0.0.0.0:9101") }
        #expect(throws: MetricsError.self) { try LoopbackAddress("10.0.0.5:9101") }
        #expect(throws: MetricsError.self) { try LoopbackAddress("127.0.0.1:http") }
        do { _ = try LoopbackAddress("0.0.0.0:9101") } catch {
            #expect("\(error)".contains("loopback only"))
        }
    }

    @Test func itServesTheRegistryAsPrometheusTextAndNothingElse() throws {
        let registry = PrometheusCollectorRegistry()
        registry.makeCounter(name: "polypipe_test_total").increment(by: Int64(3))
        let endpoint = try MetricsEndpoint(address: LoopbackAddress(port: 0), registry: registry, logger: Logger(label: "test"))
        endpoint.start()
        defer { endpoint.stop() }
        #expect(endpoint.boundAddress.port != 0)
        let http = try CurlTransport(baseURL: "http://\(endpoint.boundAddress)")
        let answer = try http.send(HTTPRequest(method: "GET", target: "/metrics"))
        #expect(answer.status == 200)
        #expect(String(decoding: answer.body, as: UTF8.self).contains("polypipe_test_total 3"))
        #expect(answer.headers.contains { $0.name.lowercased() == "content-type" && $0.value.hasPrefix("text/plain; version=0.0.4") })
        #expect(try http.send(HTTPRequest(method: "GET", target: "/")).status == 404)
        #expect(try http.send(HTTPRequest(method: "POST", target: "/metrics", body: [])).status == 405)
        // A second endpoint cannot take the same port: a clear error, not a silent clash.
        #expect(throws: MetricsError.self) {
            try MetricsEndpoint(address: endpoint.boundAddress, registry: registry, logger: Logger(label: "test"))
        }
    }
}
