import Execution
import PolypipeCore
import VenueClient

extension Doctor {
    /// For dry-run and live: does the wallet allow every contract it needs (``RequiredSpender``),
    /// and which rate-limit tier does the venue give its signer? Failures are failures for live,
    /// warnings for dry-run (which sends nothing).
    func account(_ settings: DeploymentSettings, credential: ReadOnlyWallet?) -> [DoctorFinding] {
        guard settings.mode != ExecMode.paper.rawValue, let wallet = credential?.credential,
              let chain = UInt64(settings.chainID).flatMap(Chain.init(rawValue:)),
              let venueURL = (try? VenueEndpoints(venue: settings.venue))?.clob,
              let client = try? wallet.client(venueURL: venueURL, chain: chain, totalTimeoutMillis: requestTimeoutMillis) else { return [] }
        let live = settings.mode == ExecMode.live.rawValue
        let signatureType = settings.execOption("signature-type").flatMap(UInt8.init).flatMap(SignatureType.init(rawValue:)) ?? .eoa
        var findings: [DoctorFinding] = []
        for asset in [ClobClient.AssetType.collateral, .conditionalV2] {
            let spenders = RequiredSpender.all(on: chain).filter { $0.asset == asset }
            guard !spenders.isEmpty else { continue }
            do {
                let answer = try client.balanceAllowance(asset, signatureType: signatureType)
                findings.append(Self.allowanceFinding(asset, answer: answer, spenders: spenders, live: live))
            } catch {
                findings.append(.warn("allowances \(asset.rawValue)", "cannot read them: \(error)", fix: "check the venue and the read-only credential above"))
            }
        }
        let configured = settings.execOption("rate-limit-tier").flatMap(RateLimitTier.init(venueName:)) ?? .standard
        findings.append(Self.tierFinding(reported: Result { try client.rateLimitTier() }, configured: configured))
        return findings
    }

    /// One finding for the spenders of `asset`: which allow nothing, which the venue did not report.
    static func allowanceFinding(_ asset: ClobClient.AssetType, answer: BalanceAllowance, spenders: [RequiredSpender], live: Bool) -> DoctorFinding {
        let area = "allowances \(asset.rawValue)"
        let what = asset == .collateral ? "pUSD" : "Protocol-V2 positions"
        let zero = spenders.filter { answer.allowances[$0.address.checksummed.lowercased()] == .zero }
        let unreported = spenders.filter { answer.allowances[$0.address.checksummed.lowercased()] == nil }
        let names = { (list: [RequiredSpender]) in list.map { "\($0.name) \($0.address.checksummed)" }.joined(separator: ", ") }
        let fix = "approve \(what) for them from the wallet that holds the funds (polymarket.com's 'enable trading', or the relayer https://relayer-v2.polymarket.com), then GET /balance-allowance/update and run polypipe doctor again"
        if !zero.isEmpty {
            let detail = "\(what) not approved for \(names(zero)): orders through them cannot settle"
            return live ? .fail(area, detail, fix: fix) : .warn(area, detail, fix: fix)
        }
        if !unreported.isEmpty {
            return .warn(area, "the venue reported no allowance for \(names(unreported))", fix: fix)
        }
        return .ok(area, "\(what) approved for \(spenders.map(\.name).joined(separator: ", "))")
    }

    /// The venue's tier for the signer against the one exec-proc paces to (`--rate-limit-tier`).
    static func tierFinding(reported: Result<RateLimitTier, any Error>, configured: RateLimitTier) -> DoctorFinding {
        let describe = { (tier: RateLimitTier) in
            "\(tier.venueName): \(tier.orders.rate) orders/s (burst \(tier.orders.burst)), \(tier.cancels.rate) cancels/s (burst \(tier.cancels.burst))"
        }
        switch reported {
        case .failure(let error):
            return .warn("rate-limit tier", "the venue did not say (\(error)); exec-proc paces to \(describe(configured))",
                         fix: "nothing, if that is your tier; a lower real tier means 429s")
        case .success(let tier) where tier != configured:
            return .warn("rate-limit tier", "the venue gives this signer \(describe(tier)), exec-proc is set to \(configured.venueName)",
                         fix: "set --rate-limit-tier=\(tier.rawValue) in POLYPIPE_EXEC_OPTIONS (exec-proc also adopts the venue's Poly-RateLimit-Tier header)")
        case .success(let tier):
            return .ok("rate-limit tier", describe(tier))
        }
    }
}
