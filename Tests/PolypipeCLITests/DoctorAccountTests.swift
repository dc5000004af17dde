import Foundation
@testable import polypipe
import Testing
import PolypipeCore
import VenueClient

/// `polypipe doctor` for dry-run and live: every spender the wallet needs, and the signer's
/// rate-limit tier (issue 13, item 5).
@Suite struct DoctorAccountTests {
    static let unlimited = "115792089237316195423570985008687907853269984665640564039457584007913129639935"

    static func answer(_ allowances: [(RequiredSpender, String)]) throws -> BalanceAllowance {
        let members = allowances.map { ($0.0.address.checksummed, JSONValue.string($0.1)) }
        return try BalanceAllowance(json: .object([("balance", .string("5000000")), ("allowances", .object(members))]))
    }

    @Test func everyPUSDSpenderIsChecked() throws {
        let spenders = RequiredSpender.all(on: .polygon).filter { $0.asset == .collateral }
        #expect(spenders.map(\.name) == ["CTFExchangeV2", "NegRiskCtfExchangeV2", "ExchangeV3"])
        let all = try Self.answer(spenders.map { ($0, Self.unlimited) })
        #expect(Doctor.allowanceFinding(.collateral, answer: all, spenders: spenders, live: true).level == .ok)

        let noV3 = try Self.answer(spenders.map { ($0, $0.name == "ExchangeV3" ? "0" : Self.unlimited) })
        let failed = Doctor.allowanceFinding(.collateral, answer: noV3, spenders: spenders, live: true)
        #expect(failed.level == .fail)
        #expect(failed.detail.contains("ExchangeV3 \(Exchange.v3.contract(on: .polygon).checksummed)"))
        #expect(!failed.detail.contains("CTFExchangeV2 "))
        #expect(failed.fix.contains("approve pUSD"))
        // dry-run sends nothing: the same gap is a warning.
        #expect(Doctor.allowanceFinding(.collateral, answer: noV3, spenders: spenders, live: false).level == .warn)

        let partial = try Self.answer([(spenders[0], Self.unlimited)])
        let unreported = Doctor.allowanceFinding(.collateral, answer: partial, spenders: spenders, live: true)
        #expect(unreported.level == .warn && unreported.detail.contains("NegRiskCtfExchangeV2"))
    }

    @Test func thePositionManagerGuardsV3Sells() throws {
        let manager = try #require(RequiredSpender.all(on: .polygon).first { $0.asset == .conditionalV2 })
        #expect(manager.address.checksummed.lowercased() == RequiredSpender.positionManager.lowercased())
        let none = try Self.answer([(manager, "0")])
        let finding = Doctor.allowanceFinding(.conditionalV2, answer: none, spenders: [manager], live: true)
        #expect(finding.level == .fail && finding.detail.contains("Protocol-V2 positions") && finding.detail.contains("PositionManager"))
    }

    @Test func theTierIsComparedWithWhatExecProcPacesTo() {
        #expect(Doctor.tierFinding(reported: .success(.standard), configured: .standard).level == .ok)
        let mismatch = Doctor.tierFinding(reported: .success(.silver), configured: .standard)
        #expect(mismatch.level == .warn && mismatch.detail.contains("Silver: 200 orders/s (burst 300)") && mismatch.fix.contains("--rate-limit-tier=silver"))
        struct Down: Error {}
        #expect(Doctor.tierFinding(reported: .failure(Down()), configured: .standard).level == .warn)
    }
}
