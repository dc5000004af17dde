import Foundation
import Testing
import VenueClient

@Suite struct VenueEndpointsTests {
    /// The production hosts as spec §0's table gives them: service name → URL.
    static func specHosts() throws -> [String: String] {
        let url = Vectors.repositoryRoot.appendingPathComponent("../shared/spec/polymarket-clob.md").standardized
        let text = try String(contentsOf: url, encoding: .utf8)
        guard let start = text.range(of: "Hosts (production") else { throw CocoaError(.fileReadCorruptFile) }
        var hosts: [String: String] = [:]
        for line in text[start.upperBound...].split(separator: "\n").prefix(14) where line.hasPrefix("| ") {
            let cells = line.split(separator: "|").map { $0.trimmingCharacters(in: .whitespaces) }
            guard cells.count >= 2, let open = cells[1].firstIndex(of: "`") else { continue }
            let rest = cells[1][cells[1].index(after: open)...]
            guard let close = rest.firstIndex(of: "`") else { continue }
            hosts[cells[0]] = String(rest[..<close])
        }
        return hosts
    }

    @Test func theProductionProfileIsSpecSection0() throws {
        let spec = try Self.specHosts()
        #expect(spec.count >= 6)
        let venue = try VenueEndpoints(venue: "polymarket")
        #expect(venue.clob == spec["CLOB REST"])
        #expect(venue.marketSocket == spec["CLOB WS market"])
        #expect(venue.userSocket == spec["CLOB WS user"])
        #expect(venue.gamma == spec["Gamma (market metadata)"])
        #expect(venue.dataAPI == spec["Data API"])
        #expect(venue.priceFeed == spec["RTDS (live prices etc.)"])
        #expect(venue.isProduction)
        // Naming the CLOB's own URL selects the same profile: no wss://clob.polymarket.com/ws/market,
        // no Gamma on the CLOB host.
        #expect(try VenueEndpoints(venue: "https://clob.polymarket.com/") == venue)
        #expect(try VenueEndpoints(venue: "POLYMARKET") == venue)
        // Every production host is one the paper-mode refusal knows by name.
        for url in [venue.clob, venue.marketSocket, venue.userSocket, venue.gamma, venue.dataAPI, venue.priceFeed] {
            #expect(ProductionVenue.host(of: url) != nil, "\(url)")
        }
    }

    @Test func aSimulatorServesEverythingOnOnePort() throws {
        let sim = try VenueEndpoints(venue: "http://127.0.0.1:9123/")
        #expect(sim.clob == "http://127.0.0.1:9123")
        #expect(sim.marketSocket == "ws://127.0.0.1:9123/ws/market")
        #expect(sim.userSocket == "ws://127.0.0.1:9123/ws/user")
        #expect(sim.priceFeed == "ws://127.0.0.1:9123/rtds")
        #expect(sim.gamma == "http://127.0.0.1:9123")
        #expect(!sim.isProduction)
        #expect(try VenueEndpoints(venue: "https://sim.example:8443").marketSocket == "wss://sim.example:8443/ws/market")
        #expect(try VenueEndpoints(venue: "http://127.0.0.1:8080") == .localSimulator)
    }

    @Test func anythingElseIsRefusedWithTheChoices() {
        for value in ["", "clob.polymarket.com", "ftp://127.0.0.1", "http://", "live"] {
            let error = #expect(throws: VenueEndpoints.Invalid.self) { _ = try VenueEndpoints(venue: value) }
            #expect(error?.description.contains("polymarket") == true)
        }
    }
}
