/// How the venue verifies an order's signature, and so who is `maker` and who is `signer`
/// (spec §1.9).
public enum SignatureType: UInt8, Sendable, Hashable, CaseIterable {
    /// A plain key: maker = signer = the key's address.
    case eoa = 0
    /// A Polymarket proxy wallet (email/Magic accounts): maker = proxy, signer = the key.
    case polyProxy = 1
    /// A Gnosis Safe (browser-wallet accounts): maker = Safe, signer = the key.
    case polyGnosisSafe = 2
    /// A deposit wallet (ERC-1271 with an ERC-7739 wrapped signature): maker = signer = the
    /// wallet; the key only signs the nested `TypedDataSign` message.
    case poly1271 = 3
}
