import Foundation
import Bus
import Execution
import PolypipeCore
import VenueClient

/// The preflight behind `polypipe doctor`: each check looks at one thing an installed polypipe
/// needs and, when it is missing or wrong, says what breaks and how to fix it. Checks read
/// files and ask the venue; they change nothing.
struct Doctor {
    var deployment = Deployment()
    /// Whether a system user exists (getpwnam by default; a test supplies its own).
    var userExists: (String) -> Bool = { name in getpwnam(name) != nil }
    var requestTimeoutMillis = 3_000

    func run() -> [DoctorFinding] {
        let settingsText = try? String(contentsOfFile: deployment.settingsFile, encoding: .utf8)
        let settings = DeploymentSettings(environmentFile: settingsText)
        var findings = install() + [settingsFileFinding(present: settingsText != nil)]
        let wallet = readOnlyWallet()
        findings += self.settings(settings, wallet: wallet?.address)
        findings.append(key())
        findings.append(wallet?.finding ?? readOnlyMissing())
        findings += processes()
        findings += paperVenue(settings)
        findings += venue(settings, credential: wallet)
        findings += account(settings, credential: wallet)
        return findings
    }

    // MARK: install

    func install() -> [DoctorFinding] {
        let fm = FileManager.default
        var findings: [DoctorFinding] = []
        let missingUnits = deployment.unitFiles.filter { !fm.fileExists(atPath: deployment.unitDirectory + "/" + $0) }
        findings.append(missingUnits.isEmpty
            ? .ok("units", "\(deployment.unitFiles.count) unit files in \(deployment.unitDirectory)")
            : .fail("units", "missing in \(deployment.unitDirectory): \(missingUnits.joined(separator: ", "))",
                    fix: "run scripts/install as root, then systemctl daemon-reload"))
        let missingBinaries = Deployment.binaries.filter { !fm.isExecutableFile(atPath: deployment.binaryDirectory + "/" + $0) }
        findings.append(missingBinaries.isEmpty
            ? .ok("binaries", "\(Deployment.binaries.count) executables in \(deployment.binaryDirectory)")
            : .fail("binaries", "missing or not executable in \(deployment.binaryDirectory): \(missingBinaries.joined(separator: ", "))",
                    fix: "run scripts/install as root (it builds and copies them)"))
        let users = Deployment.services.map { "polypipe-\($0)" }
        let missingUsers = users.filter { !userExists($0) }
        findings.append(missingUsers.isEmpty
            ? .ok("users", "\(users.joined(separator: ", ")) exist")
            : .fail("users", "no such user: \(missingUsers.joined(separator: ", ")); the units cannot start",
                    fix: "systemd-sysusers /etc/sysusers.d/polypipe.conf (scripts/install does it)"))
        return findings
    }

    func settingsFileFinding(present: Bool) -> DoctorFinding {
        present ? .ok("settings file", deployment.settingsFile)
            : .warn("settings file", "\(deployment.settingsFile) is missing: the units run with their defaults (paper, venue http://127.0.0.1:8080)",
                    fix: "copy systemd/polypipe.env there and edit it")
    }

    // MARK: settings

    func settings(_ settings: DeploymentSettings, wallet: EthereumAddress?) -> [DoctorFinding] {
        var findings: [DoctorFinding] = []
        guard let mode = ExecMode(rawValue: settings.mode) else {
            return [.fail("mode", "POLYPIPE_MODE=\(settings.mode) is not paper, dry-run or live; exec-proc refuses to start", fix: "set POLYPIPE_MODE in \(deployment.settingsFile)")]
        }
        findings.append(.ok("mode", mode.rawValue))
        let venue = (try? VenueEndpoints(venue: settings.venue))?.clob ?? settings.venue
        findings.append((try? VenueEndpoints(venue: settings.venue)) != nil
            ? .ok("venue url", settings.venue == venue ? venue : "\(settings.venue) (\(venue))")
            : .fail("venue url", "POLYPIPE_VENUE=\(settings.venue) is neither \(VenueEndpoints.productionName) nor an http(s) URL",
                    fix: "\(VenueEndpoints.productionName) (live: every production host) or http://127.0.0.1:8080 (clob-sim)"))
        findings.append(UInt64(settings.chainID).flatMap(Chain.init(rawValue:)) != nil
            ? .ok("chain", settings.chainID)
            : .fail("chain", "POLYPIPE_CHAIN_ID=\(settings.chainID) is not 137 (Polygon) or 80002 (Amoy)", fix: "set POLYPIPE_CHAIN_ID"))
        findings.append(signing(settings))
        let limitsPath = settings.execOption("limits")
        if let limitsPath {
            if let text = try? String(contentsOfFile: limitsPath, encoding: .utf8) {
                do {
                    _ = try RiskLimits(json: text)
                    findings.append(.ok("risk limits", limitsPath))
                } catch {
                    findings.append(.fail("risk limits", "\(limitsPath): \(error.description)", fix: "fix the file; exec-proc refuses to start with it"))
                }
            } else {
                findings.append(.fail("risk limits", "--limits \(limitsPath) cannot be read", fix: "create it (amounts as decimal strings), readable by the user polypipe-exec"))
            }
        }
        if mode == .live || settings.execFlag("live") {
            let request = LiveGate.Request(mode: mode, liveFlag: settings.execFlag("live"), limitsConfigured: limitsPath != nil,
                                           acknowledgement: settings["POLYPIPE_ACKNOWLEDGE"].flatMap { $0.isEmpty ? nil : $0 }, typed: nil, venueURL: venue)
            if let wallet {
                do {
                    try LiveGate.check(request, address: wallet)
                    findings.append(.ok("live gate", "live trading acknowledged for \(wallet.checksummed)"))
                } catch {
                    findings.append(.fail("live gate", "exec-proc will refuse to start: \(error.description)",
                                          fix: "live needs POLYPIPE_MODE=live, --live and --limits in POLYPIPE_EXEC_OPTIONS, and POLYPIPE_ACKNOWLEDGE=\(LiveGate.phrase) \(wallet.checksummed)"))
                }
            } else {
                findings.append(.warn("live gate", "the wallet is not known yet (no read-only credential), so the acknowledgement cannot be checked"))
            }
        }
        return findings
    }

    func signing(_ settings: DeploymentSettings) -> DoctorFinding {
        let typeText = settings.execOption("signature-type") ?? "0"
        guard let raw = UInt8(typeText), let type = SignatureType(rawValue: raw) else {
            return .fail("signature type", "--signature-type \(typeText) is not 0, 1, 2 or 3", fix: "0 EOA, 1 proxy, 2 Gnosis Safe, 3 deposit wallet")
        }
        let funder = settings.execOption("funder")
        if let funder, (try? EthereumAddress(funder)) == nil {
            return .fail("signature type", "--funder \(funder) is not an address", fix: "the 0x… address of the wallet that holds the funds")
        }
        if type != .eoa && funder == nil {
            return .fail("signature type", "signature type \(raw) signs for a funder wallet but no --funder is set", fix: "add --funder=0x… to POLYPIPE_EXEC_OPTIONS")
        }
        if type == .eoa && funder != nil {
            return .warn("signature type", "--funder is set but signature type 0 (EOA) trades from the signing wallet itself", fix: "set --signature-type or drop --funder")
        }
        return .ok("signature type", "\(raw)" + (funder.map { ", funder \($0)" } ?? " (EOA: the signer holds the funds)"))
    }

    // MARK: credentials

    func key() -> DoctorFinding {
        let path = deployment.keyCredential
        var info = stat()
        guard stat(path, &info) == 0 else {
            return .fail("key", "\(path) does not exist: polypipe-exec.service fails with 243/CREDENTIALS",
                         fix: "(umask 077; read -rs KEY && printf '%s' \"$KEY\" | systemd-creds encrypt --name=polymarket-key - \(path))")
        }
        if info.st_mode & 0o077 != 0 || info.st_uid != 0 {
            return .warn("key", "\(path) is owned by uid \(info.st_uid) with mode \(String(info.st_mode & 0o777, radix: 8))", fix: "chown root:root and chmod 0600 it")
        }
        // Only the first bytes are looked at, and never printed: is it the bare hex key?
        if let handle = FileHandle(forReadingAtPath: path) {
            var head = [UInt8]((try? handle.read(upToCount: 80)) ?? Data())
            try? handle.close()
            defer { PrivateKey.zero(&head) }
            if Self.looksLikeBareKey(head) {
                return .fail("key", "\(path) holds the key in clear, not encrypted: LoadCredentialEncrypted= cannot decrypt it",
                             fix: "encrypt it (systemd-creds encrypt --name=polymarket-key - \(path)) and erase the clear copy")
            }
        }
        return .ok("key", "\(path) (encrypted; only polypipe-exec.service loads it)")
    }

    /// Whether `bytes` are 64 hex digits (with an optional 0x and line end): a key in clear.
    static func looksLikeBareKey(_ bytes: [UInt8]) -> Bool {
        var body = bytes[...]
        while let last = body.last, last == 0x0A || last == 0x0D || last == 0x20 { body = body.dropLast() }
        if body.starts(with: Array("0x".utf8)) { body = body.dropFirst(2) }
        return body.count == 64 && body.allSatisfy { (0x30...0x39).contains($0) || (0x41...0x46).contains($0) || (0x61...0x66).contains($0) }
    }

    struct ReadOnlyWallet {
        let address: EthereumAddress?
        let credential: VenueCredentialsFile?
        let finding: DoctorFinding
    }

    /// The read-only credential exec-proc minted: read as root, so its owner check is not applied.
    func readOnlyWallet() -> ReadOnlyWallet? {
        let path = deployment.readOnlyCredential
        guard let data = FileManager.default.contents(atPath: path) else { return nil }
        guard let json = try? JSONParser.parse(Array(data)), let text = json["address"]?.scalarText,
              let address = try? EthereumAddress(text), let credentials = try? ApiCredentials(json: json) else {
            return ReadOnlyWallet(address: nil, credential: nil, finding: .fail("venue credential", "\(path) is not a credential file fill-proc and recon-proc can use",
                                                                            fix: "delete it and restart polypipe-exec.service, which mints a new one"))
        }
        var simulatorOnly = true
        if case .bool(let value)? = json["simulator_only"] { simulatorOnly = value }
        return ReadOnlyWallet(address: address, credential: VenueCredentialsFile(address: address, credentials: credentials, simulatorOnly: simulatorOnly),
                              finding: .ok("venue credential", "read-only key for \(address.checksummed) (fill-proc, recon-proc)"))
    }

    func readOnlyMissing() -> DoctorFinding {
        .warn("venue credential", "\(deployment.readOnlyCredential) does not exist yet: fill-proc and recon-proc cannot start before exec-proc has run once",
              fix: "systemctl start polypipe-exec.service (it mints the read-only key), then the rest of polypipe.target")
    }

    // MARK: processes

    func processes() -> [DoctorFinding] {
        let layout = BusLayout(runtimeDirectory: deployment.runtimeDirectory)
        let sockets: [(String, String)] = [("exec-proc", layout.control), ("signal-proc", layout.signals),
                                           ("fill-proc", layout.fillSnapshot), ("recon-proc", layout.reconSnapshot)]
        var findings: [DoctorFinding] = []
        for (name, endpoint) in sockets {
            let path = String(endpoint.dropFirst("ipc://".count))
            findings.append(SocketDirectory.isListening(path)
                ? .ok(name, "listening on \(path)")
                : .warn(name, "not running (nothing listens on \(path))", fix: "systemctl start polypipe.target; journalctl -u polypipe-\(name.dropLast(5)) says why it stopped"))
        }
        if SocketDirectory.isListening(String(layout.control.dropFirst("ipc://".count))) {
            findings.append(execStatus(layout))
        }
        return findings
    }

    func execStatus(_ layout: BusLayout) -> DoctorFinding {
        var request = Polypipe_Bus_V1_ControlRequest()
        request.command = .status
        request.reason = "polypipe doctor"
        do {
            let client = RequestClient(context: try ZmqContext(), endpoint: layout.control)
            let reply = try client.call(request, expecting: Polypipe_Bus_V1_ControlReply.self, timeoutMilliseconds: 3_000)
            let status = reply.status
            let text = "\(ControlReplyText.stateName(status.state)) in \(status.mode) mode, signer \(status.signerAddress), venue heartbeat \(status.venueHeartbeatOk ? "ok" : "failing")"
            if !status.venueHeartbeatOk { return .warn("trading state", text, fix: "check the venue below; exec-proc refuses new orders while its heartbeat fails") }
            if status.state != .running { return .warn("trading state", text + (status.stateReason.isEmpty ? "" : " (\(status.stateReason))"), fix: "polypipe status; polypipe resume once the cause is understood") }
            return .ok("trading state", text)
        } catch {
            return .fail("trading state", "exec-proc does not answer on \(layout.control): \(error)", fix: "journalctl -u polypipe-exec; systemctl restart polypipe-exec.service")
        }
    }

    // MARK: venue

    func venue(_ settings: DeploymentSettings, credential: ReadOnlyWallet?) -> [DoctorFinding] {
        guard let chain = UInt64(settings.chainID).flatMap(Chain.init(rawValue:)),
              let venueURL = (try? VenueEndpoints(venue: settings.venue))?.clob else { return [] }
        let timeouts = CurlTransport.Timeouts(connectMilliseconds: 2_000, totalMilliseconds: requestTimeoutMillis)
        let client: ClobClient
        do { client = ClobClient(transport: try CurlTransport(baseURL: venueURL, timeouts: timeouts), chain: chain) } catch {
            return [.fail("venue", "cannot prepare a connection to \(settings.venue): \(error)", fix: "check POLYPIPE_VENUE")]
        }
        var findings: [DoctorFinding] = []
        do {
            let version = try client.version()
            let serverMillis = try client.serverTime() * 1_000
            let skew = abs(serverMillis - Int64(Date().timeIntervalSince1970 * 1_000))
            let text = "\(settings.venue) answers, exchange version \(version), clock skew ~\(skew / 1_000) s"
            findings.append(skew > 5_000 ? .warn("venue", text, fix: "sync this host's clock (systemd-timesyncd): orders and L2 headers carry timestamps")
                                         : .ok("venue", text))
        } catch {
            let hint = settings.mode == "paper" ? "is polypipe-sim.service running? (systemctl start polypipe-sim)" : "check POLYPIPE_VENUE, DNS and the firewall"
            return [.fail("venue", "\(settings.venue) does not answer: \(error)", fix: hint)]
        }
        guard let wallet = credential?.credential else { return findings }
        let signatureType = settings.execOption("signature-type").flatMap(UInt8.init).flatMap(SignatureType.init(rawValue:)) ?? .eoa
        do {
            let account = try wallet.client(venueURL: venueURL, chain: chain, totalTimeoutMillis: requestTimeoutMillis)
            let balance = try account.balanceAllowance(.collateral, signatureType: signatureType).balance
            let amount = balance.uint64Value.map { MicroUnits.format($0) } ?? "\(balance) micro-units"
            let text = "\(wallet.address.checksummed): \(amount) pUSD (signature type \(signatureType.rawValue))"
            findings.append(balance == .zero
                ? (settings.mode == "live" ? .fail("balance", text, fix: "fund the wallet (or the funder) with pUSD") : .warn("balance", text))
                : .ok("balance", text))
        } catch {
            findings.append(.fail("balance", "the venue refused the read-only credential or the balance call: \(error)",
                                  fix: "delete \(deployment.readOnlyCredential) and restart polypipe-exec.service to mint a new key"))
        }
        return findings
    }
}
