import PolypipeCore
/// A contract a trading wallet must have approved before its orders can settle (spec §4.5, §9):
/// pUSD to the exchanges that match its orders, and its Protocol-V2 positions to the
/// PositionManager so they can be sold.
///
/// ```swift
/// for spender in RequiredSpender.all(on: .polygon) where spender.asset == .collateral { … }
/// ```
public struct RequiredSpender: Sendable, Hashable {
    public let name: String
    public let address: EthereumAddress
    /// What must be approved: pUSD (`COLLATERAL`) or V3 positions (`CONDITIONAL-V2`).
    public let asset: ClobClient.AssetType

    /// The PositionManager that holds Protocol-V2 positions on Polygon (spec §9).
    public static let positionManager = "0x006F54F7f9A22e0000CC2AB60031000000ae9fEF"

    /// Every spender known for `chain`. The neg-risk adapter is left out: the spec names it but
    /// not its V2 address. On Amoy the PositionManager's address is not known either.
    public static func all(on chain: Chain) -> [RequiredSpender] {
        var spenders = [
            RequiredSpender(name: "CTFExchangeV2", address: Exchange.ctfV2.contract(on: chain), asset: .collateral),
            RequiredSpender(name: "NegRiskCtfExchangeV2", address: Exchange.negRiskV2.contract(on: chain), asset: .collateral),
            RequiredSpender(name: "ExchangeV3", address: Exchange.v3.contract(on: chain), asset: .collateral),
        ]
        if chain == .polygon, let manager = try? EthereumAddress(positionManager) {
            spenders.append(RequiredSpender(name: "PositionManager", address: manager, asset: .conditionalV2))
        }
        return spenders
    }
}
