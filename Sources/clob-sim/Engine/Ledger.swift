import PolypipeCore

/// Balances of every account, in micro-units, with the part reserved by resting orders.
///
/// Amounts are signed so that voiding a failed trade can take back shares that were already
/// moved on ("ghost fills"); availability never counts a negative balance.
struct Ledger: Sendable {
    private(set) var collateral: [EthereumAddress: Int64] = [:]
    private(set) var reservedCollateral: [EthereumAddress: Int64] = [:]
    private(set) var shares: [EthereumAddress: [TokenID: Int64]] = [:]
    private(set) var reservedShares: [EthereumAddress: [TokenID: Int64]] = [:]

    /// Where the venue's part of taker fees goes (what is left after maker rebates), so that
    /// the ledger's total still counts every micro-unit.
    static let feeCollector: EthereumAddress = {
        // 20 bytes of Keccak("clob-sim fee collector"): a fixed, valid address nobody holds a key to.
        let bytes = Keccak256.hash(utf8: "clob-sim fee collector")
        return (try? EthereumAddress(Hex.encode(bytes.suffix(20)))) ?? .zero
    }()

    func availableCollateral(_ account: EthereumAddress) -> Int64 {
        max(0, (collateral[account] ?? 0) - (reservedCollateral[account] ?? 0))
    }

    func availableShares(_ account: EthereumAddress, _ token: TokenID) -> Int64 {
        max(0, (shares[account]?[token] ?? 0) - (reservedShares[account]?[token] ?? 0))
    }

    func balance(_ account: EthereumAddress) -> Int64 { collateral[account] ?? 0 }
    func balance(_ account: EthereumAddress, _ token: TokenID) -> Int64 { shares[account]?[token] ?? 0 }

    mutating func credit(_ account: EthereumAddress, collateral amount: Int64) {
        collateral[account, default: 0] += amount
    }

    mutating func credit(_ account: EthereumAddress, token: TokenID, shares amount: Int64) {
        shares[account, default: [:]][token, default: 0] += amount
    }

    mutating func reserve(_ account: EthereumAddress, collateral amount: Int64) {
        reservedCollateral[account, default: 0] += amount
    }

    mutating func reserve(_ account: EthereumAddress, token: TokenID, shares amount: Int64) {
        reservedShares[account, default: [:]][token, default: 0] += amount
    }

    /// Resolution: each account's winning shares become collateral 1:1; both tokens are cleared.
    mutating func redeem(winner: TokenID, loser: TokenID) {
        for account in shares.keys {
            let won = shares[account]?[winner] ?? 0
            if won > 0 { collateral[account, default: 0] += won }
            shares[account]?[winner] = nil
            shares[account]?[loser] = nil
            reservedShares[account]?[winner] = nil
            reservedShares[account]?[loser] = nil
        }
    }

    /// Every account's total collateral plus every share's $1 backing pair counts as money in
    /// the system; tests use this to check that matching neither creates nor destroys value.
    var totalCollateral: Int64 { collateral.values.reduce(0, +) }
}
