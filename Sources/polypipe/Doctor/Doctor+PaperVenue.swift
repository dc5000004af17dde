import Execution
import VenueClient

extension Doctor {
    /// Paper mode trades only against a simulator: a production venue is refused by name, any
    /// other must prove it is a simulator (``SimulatorIdentity``), and fill-proc's user channel
    /// must be served by that simulator. exec-proc refuses to start otherwise; this says so first.
    func paperVenue(_ settings: DeploymentSettings) -> [DoctorFinding] {
        guard settings.mode == ExecMode.paper.rawValue, let endpoints = try? VenueEndpoints(venue: settings.venue) else { return [] }
        let goLive = "to trade real money set POLYPIPE_MODE=live, POLYPIPE_VENUE=\(VenueEndpoints.productionName), --live --limits=FILE in POLYPIPE_EXEC_OPTIONS and POLYPIPE_ACKNOWLEDGE"
        let usePaper = "for paper: POLYPIPE_VENUE=http://127.0.0.1:8080 with polypipe-sim.service running"
        var findings: [DoctorFinding] = []
        if let host = ProductionVenue.host(of: endpoints.clob) {
            findings.append(.fail("paper venue", "POLYPIPE_MODE=paper with POLYPIPE_VENUE=\(settings.venue), Polymarket's production venue (\(host)): exec-proc refuses to start, paper trades only against a simulator",
                                  fix: "\(usePaper); \(goLive)"))
        } else {
            let timeouts = CurlTransport.Timeouts(connectMilliseconds: 2_000, totalMilliseconds: requestTimeoutMillis)
            do {
                try CurlTransport(baseURL: endpoints.clob, timeouts: timeouts, policy: .provenSimulatorOnly).proveSimulator()
                findings.append(.ok("paper venue", "\(endpoints.clob) proved it is a simulator (GET \(SimulatorIdentity.path))"))
            } catch {
                findings.append(.fail("paper venue", "\(endpoints.clob) did not prove it is a simulator, so exec-proc refuses to trade on it in paper mode: \(error)",
                                      fix: "\(usePaper); \(goLive)"))
            }
        }
        if let channel = settings.option("user-channel", in: "POLYPIPE_FILL_OPTIONS"), channel != "venue",
           let refusal = PaperModeRefusal.checkStream(channel, venueURL: endpoints.clob) {
            findings.append(.fail("paper user channel", "fill-proc's --user-channel=\(channel) is refused in paper mode: \(refusal)",
                                  fix: "use --user-channel=venue in POLYPIPE_FILL_OPTIONS"))
        }
        return findings
    }
}
