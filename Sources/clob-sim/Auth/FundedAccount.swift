import PolypipeCore
import VenueClient

/// A test account from the `--accounts` file:
///
/// ```json
/// {"address": "0x…", "collateral": "2500.50",
///  "funders": {"3": "0x…"}, "rateLimitTier": "silver", "depositWalletOnly": true}
/// ```
///
/// Only `address` and `collateral` are required.
struct FundedAccount: Sendable, Equatable {
    let address: EthereumAddress
    /// pUSD in micro-units.
    let collateral: Int64
    /// The wallets this key may trade through, per signature type 1–3 (proxy, Safe, deposit
    /// wallet). When set, an order of that type must name exactly this maker.
    var funders: [SignatureType: EthereumAddress] = [:]
    /// This signer's rate-limit tier, instead of `--rate-limit-tier` (spec §6.1).
    var rateLimitTier: RateLimitTier?
    /// An account created after the deposit-wallet rollout (spec §1.9, §9): orders of signature
    /// types 0–2 are refused with the venue's `maker address not allowed, please use the
    /// deposit wallet flow`; only type 3 (POLY_1271) trades.
    var depositWalletOnly = false

    /// Reads the file's JSON array; errors name the entry and field.
    static func load(_ text: String) throws(SimError) -> [FundedAccount] {
        guard case .array(let entries)? = try? JSONParser.parse(text) else {
            throw .badRequest("accounts file: expected a JSON array of {\"address\", \"collateral\"}")
        }
        var accounts: [FundedAccount] = []
        for (index, entry) in entries.enumerated() {
            guard let addressText = entry["address"]?.scalarText, let address = try? EthereumAddress(addressText) else {
                throw .badRequest("accounts file: entry \(index): address is missing or not an address")
            }
            guard let amountText = entry["collateral"]?.scalarText, let amount = try? Collateral(amountText) else {
                throw .badRequest("accounts file: entry \(index): collateral is missing or not a pUSD amount")
            }
            var account = FundedAccount(address: address, collateral: Int64(amount.micros))
            if case .object(let members)? = entry["funders"] {
                for member in members {
                    guard let type = UInt8(member.key).flatMap(SignatureType.init(rawValue:)), type != .eoa,
                          let wallet = member.value.scalarText.flatMap({ try? EthereumAddress($0) }) else {
                        throw .badRequest("accounts file: entry \(index): funders.\(member.key) must map 1, 2 or 3 to a wallet address")
                    }
                    account.funders[type] = wallet
                }
            }
            if let tierValue = entry["rateLimitTier"] {
                guard let name = tierValue.scalarText, let tier = RateLimitTier(venueName: name) else {
                    throw .badRequest("accounts file: entry \(index): rateLimitTier must be one of \(RateLimitTier.allCases.map(\.rawValue).joined(separator: ", "))")
                }
                account.rateLimitTier = tier
            }
            if let flag = entry["depositWalletOnly"] {
                guard case .bool(let only) = flag else {
                    throw .badRequest("accounts file: entry \(index): depositWalletOnly must be true or false")
                }
                account.depositWalletOnly = only
            }
            accounts.append(account)
        }
        return accounts
    }
}
