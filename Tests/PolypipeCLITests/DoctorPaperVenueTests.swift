import Foundation
@testable import polypipe
import Testing

/// `polypipe doctor` flags a paper configuration that could reach a real venue (issue 13).
@Suite struct DoctorPaperVenueTests {
    func settings(_ text: String) -> DeploymentSettings { DeploymentSettings(environmentFile: text) }

    func doctor() -> Doctor {
        var doctor = Doctor(deployment: Deployment(root: NSTemporaryDirectory() + "polypipe-doctor-paper-\(UUID().uuidString)"))
        doctor.requestTimeoutMillis = 500
        return doctor
    }

    @Test func paperOnTheProductionVenueFailsAndSaysHowToGoLive() throws {
        for venue in ["polymarket", "https://clob.polymarket.com"] {
            let findings = doctor().paperVenue(settings("POLYPIPE_MODE=paper\nPOLYPIPE_VENUE=\(venue)\n"))
            let finding = try #require(findings.first { $0.area == "paper venue" })
            #expect(finding.level == .fail)
            #expect(finding.detail.contains("production venue") && finding.detail.contains("paper trades only against a simulator"))
            #expect(finding.fix.contains("POLYPIPE_MODE=live") && finding.fix.contains("--live"))
        }
    }

    @Test func paperOnAVenueThatCannotProveItIsASimulatorFails() throws {
        // A closed port: nothing proves anything, so exec-proc would refuse it.
        let findings = doctor().paperVenue(settings("POLYPIPE_MODE=paper\nPOLYPIPE_VENUE=http://127.0.0.1:9\n"))
        let finding = try #require(findings.first { $0.area == "paper venue" })
        #expect(finding.level == .fail && finding.detail.contains("did not prove it is a simulator"))
    }

    @Test func aPaperUserChannelOnAnotherHostFails() throws {
        let text = "POLYPIPE_MODE=paper\nPOLYPIPE_VENUE=http://127.0.0.1:9\nPOLYPIPE_FILL_OPTIONS=--user-channel=wss://ws-subscriptions-clob.polymarket.com/ws/user\n"
        let finding = try #require(doctor().paperVenue(settings(text)).first { $0.area == "paper user channel" })
        #expect(finding.level == .fail && finding.fix.contains("--user-channel=venue"))
        let fine = "POLYPIPE_MODE=paper\nPOLYPIPE_VENUE=http://127.0.0.1:9\nPOLYPIPE_FILL_OPTIONS=--user-channel=venue\n"
        #expect(doctor().paperVenue(settings(fine)).allSatisfy { $0.area != "paper user channel" })
    }

    @Test func liveAndDryRunAreNotPaperChecks() {
        #expect(doctor().paperVenue(settings("POLYPIPE_MODE=live\nPOLYPIPE_VENUE=polymarket\n")).isEmpty)
        #expect(doctor().paperVenue(settings("POLYPIPE_MODE=dry-run\nPOLYPIPE_VENUE=polymarket\n")).isEmpty)
    }
}
