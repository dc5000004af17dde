/// Which way an order trades. On the wire: `"BUY"`/`"SELL"` in JSON, `0`/`1` in the signed struct.
public enum Side: String, Sendable, Hashable, CaseIterable {
    case buy = "BUY"
    case sell = "SELL"

    /// The `uint8 side` of the EIP-712 Order struct (spec §1.3).
    public var eip712Value: UInt8 { self == .buy ? 0 : 1 }

    /// Accepts the venue's spelling in any case ("BUY", "buy").
    public init?(text: String) {
        self.init(rawValue: text.uppercased())
    }
}
