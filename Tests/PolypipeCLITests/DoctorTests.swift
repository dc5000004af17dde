import Foundation
@testable import polypipe
import Testing

/// `polypipe doctor` on staged trees: each problem is found and explained, and the key is never
/// printed.
@Suite struct DoctorTests {
    let root: String
    let wallet = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8"
    let keyHex = "59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d"

    init() throws {
        root = NSTemporaryDirectory() + "polypipe-doctor-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
    }

    func write(_ relative: String, _ text: String, mode: Int = 0o644) throws {
        let path = root + "/" + relative
        try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: mode], ofItemAtPath: path)
    }

    func doctor(usersExist: Bool = true) -> Doctor {
        var doctor = Doctor(deployment: Deployment(root: root))
        doctor.userExists = { _ in usersExist }
        doctor.requestTimeoutMillis = 500
        return doctor
    }

    func finding(_ findings: [DoctorFinding], _ area: String) throws -> DoctorFinding {
        try #require(findings.first { $0.area == area }, "no finding for \(area) in \(findings.map(\.area))")
    }

    /// A complete install in the tree: units, binaries, settings, an "encrypted" key, the
    /// read-only credential. The venue is a closed port, so only the network checks fail.
    func stageInstall(settings: String) throws {
        for unit in Deployment().unitFiles { try write("etc/systemd/system/\(unit)", "[Unit]\n") }
        for binary in Deployment.binaries { try write("opt/polypipe/bin/\(binary)", "#!/bin/sh\n", mode: 0o755) }
        try write("etc/polypipe/polypipe.env", settings)
        try write("etc/credstore.encrypted/polymarket-key", "k6AAAAEAAAB8AAAAAAAAAA-not-hex-ciphertext", mode: 0o600)
        try write("var/lib/polypipe/exec/venue-readonly.json",
                  #"{"address":"\#(wallet)","apiKey":"00000000-0000-0000-0000-000000000000","secret":"c2VjcmV0","passphrase":"p"}"#, mode: 0o640)
    }

    @Test func anEmptyHostFailsEveryInstallCheckAndSaysWhatToRun() throws {
        let findings = doctor(usersExist: false).run()
        let units = try finding(findings, "units")
        #expect(units.level == .fail && units.detail.contains("polypipe-exec.service") && units.fix.contains("scripts/install"))
        #expect(try finding(findings, "binaries").level == .fail)
        #expect(try finding(findings, "users").fix.contains("systemd-sysusers"))
        let key = try finding(findings, "key")
        #expect(key.level == .fail && key.detail.contains("243/CREDENTIALS") && key.fix.contains("systemd-creds encrypt --name=polymarket-key"))
        #expect(try finding(findings, "settings file").level == .warn)
        #expect(try finding(findings, "venue credential").level == .warn)
        #expect(try finding(findings, "exec-proc").level == .warn)
    }

    @Test func aCompletePaperInstallPassesAllButTheClosedVenue() throws {
        try stageInstall(settings: "# paper\nPOLYPIPE_MODE=paper\nPOLYPIPE_VENUE=\"http://127.0.0.1:1\"\n")
        let findings = doctor().run()
        let failed = findings.filter { $0.level == .fail }.map(\.area)
        // A closed venue also cannot prove it is a simulator, which paper mode needs.
        #expect(failed == ["paper venue", "venue"], "\(findings.map(\.text))")
        #expect(try finding(findings, "venue").fix.contains("polypipe-sim"))
        #expect(try finding(findings, "venue credential").detail.contains(wallet))
        #expect(try finding(findings, "signature type").level == .ok)
    }

    @Test func aKeyStoredInClearIsRefusedWithoutBeingPrinted() throws {
        try stageInstall(settings: "POLYPIPE_VENUE=http://127.0.0.1:1\n")
        try write("etc/credstore.encrypted/polymarket-key", "0x\(keyHex)\n", mode: 0o600)
        let findings = doctor().run()
        let key = try finding(findings, "key")
        #expect(key.level == .fail && key.detail.contains("in clear"))
        #expect(!findings.map(\.text).joined().lowercased().contains(keyHex))
        #expect(Doctor.looksLikeBareKey(Array(keyHex.uppercased().utf8)))
        #expect(!Doctor.looksLikeBareKey(Array(keyHex.dropLast().utf8)))
    }

    @Test func liveModeChecksTheWholeGateAgainstTheWallet() throws {
        try write("etc/polypipe/limits.json", #"{"max_order_notional":"10","max_market_exposure":"100","max_total_exposure":"200","max_orders_per_minute":60,"price_band":"0.1","daily_loss_limit":"50"}"#)
        let limits = root + "/etc/polypipe/limits.json"
        let base = "POLYPIPE_MODE=live\nPOLYPIPE_VENUE=https://clob.example.invalid\nPOLYPIPE_EXEC_OPTIONS=--live --limits=\(limits)\n"
        try stageInstall(settings: base)
        var gate = try finding(doctor().run(), "live gate")
        #expect(gate.level == .fail && gate.detail.contains("acknowledgement") && gate.fix.contains("POLYPIPE_ACKNOWLEDGE=I UNDERSTAND \(wallet)"), "\(gate.text)")

        try stageInstall(settings: base + "POLYPIPE_ACKNOWLEDGE=I UNDERSTAND 0x0000000000000000000000000000000000000001\n")
        gate = try finding(doctor().run(), "live gate")
        #expect(gate.level == .fail && gate.detail.contains("does not name this wallet"), "\(gate.text)")

        try stageInstall(settings: base.replacingOccurrences(of: "clob.example.invalid", with: "127.0.0.2:1") + "POLYPIPE_ACKNOWLEDGE=I UNDERSTAND \(wallet)\n")
        let findings = doctor().run()
        gate = try finding(findings, "live gate")
        #expect(gate.level == .fail && gate.detail.contains("127.0.0.2"), "a loopback venue in live mode: \(gate.text)")
        #expect(try finding(findings, "risk limits").level == .ok)

        try stageInstall(settings: base + "POLYPIPE_ACKNOWLEDGE=I UNDERSTAND \(wallet)\n")
        #expect(try finding(doctor().run(), "live gate").level == .ok)
    }

    @Test func badSettingsAreNamed() throws {
        try write("etc/polypipe/limits.json", #"{"max_order_notional":"10"}"#)
        try stageInstall(settings: "POLYPIPE_MODE=livee\n")
        #expect(try finding(doctor().run(), "mode").detail.contains("livee"))
        try stageInstall(settings: "POLYPIPE_CHAIN_ID=1\nPOLYPIPE_VENUE=ftp://x\nPOLYPIPE_EXEC_OPTIONS=--signature-type=2 --limits \(root)/etc/polypipe/limits.json\n")
        let findings = doctor().run()
        #expect(try finding(findings, "chain").level == .fail)
        #expect(try finding(findings, "venue url").level == .fail)
        let signing = try finding(findings, "signature type")
        #expect(signing.level == .fail && signing.fix.contains("--funder"))
        let limits = try finding(findings, "risk limits")
        #expect(limits.level == .fail && limits.detail.contains("limits.json") && limits.detail.contains("is missing"))
    }

    @Test func settingsFollowSystemdsEnvironmentFileRules() {
        let settings = DeploymentSettings(environmentFile: """
        # comment
        ; also a comment
        POLYPIPE_VENUE='https://clob.polymarket.com'
        POLYPIPE_EXEC_OPTIONS=--live  --funder 0xabc --signature-type=1
        POLYPIPE_ACKNOWLEDGE="I UNDERSTAND 0xabc"
        """)
        #expect(settings.mode == "paper" && settings.chainID == "137", "the units' defaults apply")
        #expect(settings.venue == "https://clob.polymarket.com")
        #expect(settings.execFlag("live") && settings.execOption("funder") == "0xabc" && settings.execOption("signature-type") == "1")
        #expect(settings["POLYPIPE_ACKNOWLEDGE"] == "I UNDERSTAND 0xabc")
    }
}
