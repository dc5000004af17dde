import PolypipeCore
/// The exchange contract an order is signed for, which fixes its EIP-712 domain (spec §1.1, §1.8).
///
/// - `ctfV2`: standard CTF markets, domain version "2".
/// - `negRiskV2`: neg-risk CTF markets, domain version "2".
/// - `v3`: Protocol-V2 positions (Gamma `version: "v2"`, or `/version` = 3), domain version "3".
///
/// The retired V1 exchanges are deliberately absent: the venue rejects V1 orders since 2026-04-28.
public enum Exchange: String, Sendable, Hashable, CaseIterable {
    case ctfV2 = "exchange_v2"
    case negRiskV2 = "neg_risk_exchange_v2"
    case v3 = "exchange_v3"

    /// Every exchange domain shares this name.
    public static let domainName = "Polymarket CTF Exchange"

    /// The exchange for a market: version 3 means ExchangeV3 whatever `negRisk` says.
    public static func select(version: ExchangeVersion, negRisk: Bool) -> Exchange {
        switch version {
        case .v3: return .v3
        case .v2: return negRisk ? .negRiskV2 : .ctfV2
        }
    }

    /// The EIP-712 domain `version` field.
    public var domainVersion: String { self == .v3 ? "3" : "2" }

    public var version: ExchangeVersion { self == .v3 ? .v3 : .v2 }

    /// The verifying contract on `chain`.
    public func contract(on chain: Chain) -> EthereumAddress {
        switch (self, chain) {
        case (.ctfV2, _): return Self.address("0xE111180000d2663C0091e4f400237545B87B996B")
        case (.negRiskV2, _): return Self.address("0xe2222d279d744050d28e00520010520000310F59")
        case (.v3, .polygon): return Self.address("0xe3333700cA9d93003F00f0F71f8515005F6c00Aa")
        case (.v3, .amoy): return Self.address("0x9fE6e61422AdB6F610d8597F9684b16912D50C3D")
        }
    }

    /// The full EIP-712 domain on `chain`.
    public func domain(on chain: Chain) -> EIP712Domain {
        EIP712Domain(name: Self.domainName, version: domainVersion, chainID: chain.rawValue, verifyingContract: contract(on: chain))
    }

    private static func address(_ literal: String) -> EthereumAddress {
        // Literals above are checksummed constants; parsing them cannot fail.
        (try? EthereumAddress(literal)) ?? .zero
    }
}

/// The order-struct generation a market trades under: `2` for CTF markets, `3` for ExchangeV3.
public enum ExchangeVersion: Int, Sendable, Hashable, CaseIterable {
    case v2 = 2
    case v3 = 3
}

/// A chain the venue runs on. Anything else is refused before signing (a signature for the
/// wrong chain could be replayed where it was never meant to be).
public enum Chain: UInt64, Sendable, Hashable, CaseIterable {
    /// Polygon mainnet.
    case polygon = 137
    /// Polygon Amoy testnet.
    case amoy = 80002
}
