import PolypipeCore
/// Turns trading intent (side, price, size or amount, market facts) into a signed V2/V3 order.
///
/// Who is `maker` and who is `signer` follows the wallet setup (spec §1.9): maker = the funder
/// (defaults to the key's address); signer = the key's address for signature types 0–2, the
/// funder (deposit wallet) for type 3.
public struct OrderBuilder: Sendable {
    /// How the amounts are decided.
    ///
    /// Prices and sizes arrive as exact micro-unit values; the SDK's rounding to the tick's
    /// precision (price half-even, size down to 2 decimals: ``OrderAmounts``) happens here, so
    /// the signed amounts are byte-identical to the official client's for the same decimals.
    public enum Pricing: Sendable, Hashable {
        /// A limit order: `size` shares at `price`.
        case limit(price: Price, size: Shares)
        /// A market order at worst `price`: BUY spends collateral, SELL sells shares.
        case market(price: Price, amount: MarketAmount)
        /// Amounts given directly in base units (no rounding at all).
        case fixed(makerAmount: UInt256, takerAmount: UInt256)
    }

    /// What a market order gives: collateral to spend (BUY) or shares to sell (SELL).
    public enum MarketAmount: Sendable, Hashable {
        case collateral(Collateral)
        case shares(Shares)

        /// The amount's exact decimal text (the same for either unit: both have six decimals).
        var text: String {
            switch self {
            case .collateral(let amount): return amount.description
            case .shares(let amount): return amount.description
            }
        }
    }

    /// Why an order could not be built.
    public enum Failure: Error, Equatable, CustomStringConvertible {
        case amounts(OrderAmounts.Failure)
        case signing(SigningError)
        case tickSizeRequired
        /// A market BUY must spend ``MarketAmount/collateral(_:)``; a SELL sells ``MarketAmount/shares(_:)``.
        case marketAmountSide(Side)

        public var description: String {
            switch self {
            case .marketAmountSide(let side):
                return side == .buy ? "a market BUY spends collateral, not shares" : "a market SELL sells shares, not collateral"
            case .amounts(let failure): return failure.description
            case .signing(let failure): return failure.description
            case .tickSizeRequired: return "a tick size is required to compute limit or market amounts"
            }
        }
    }

    /// A signed order and the amounts behind it.
    public struct Built: Sendable, Hashable {
        /// `nil` for ``Pricing/fixed(makerAmount:takerAmount:)``.
        public let amounts: OrderAmounts?
        public let signed: SignedOrder
    }

    public let signer: OrderSigner
    public let signatureType: SignatureType
    /// The wallet that holds the funds.
    public let maker: EthereumAddress
    /// The address the exchange verifies the signature against.
    public let signingAddress: EthereumAddress

    /// - Parameter funder: the maker wallet; `nil` means the key's own address.
    public init(signer: OrderSigner, signatureType: SignatureType, funder: EthereumAddress?) {
        self.signer = signer
        self.signatureType = signatureType
        let maker = funder ?? signer.key.address
        self.maker = maker
        self.signingAddress = signatureType == .poly1271 ? maker : signer.key.address
    }

    /// Computes the amounts and signs.
    /// - Parameters:
    ///   - tick: the market's tick size (needed unless pricing is `.fixed`).
    ///   - timestamp: order creation time in milliseconds.
    ///   - expiration: unix seconds for GTD, else 0 (not signed).
    /// - Throws: ``Failure``.
    public func build(_ pricing: Pricing, side: Side, tokenID: TokenID, tick: TickSize?, exchange: Exchange,
                      salt: UInt256, timestamp: UInt256, metadata: Bytes32 = .zero, builder: Bytes32 = .zero,
                      expiration: UInt64 = 0) throws(Failure) -> Built {
        let (amounts, makerAmount, takerAmount) = try Self.amounts(for: pricing, side: side, tick: tick)
        let order = Order(salt: salt, maker: maker, signer: signingAddress, tokenID: tokenID,
                          makerAmount: makerAmount, takerAmount: takerAmount, side: side,
                          signatureType: signatureType, timestamp: timestamp, metadata: metadata, builder: builder)
        do {
            return Built(amounts: amounts, signed: try signer.sign(order, for: exchange, expiration: expiration))
        } catch {
            throw .signing(error)
        }
    }

    private static func amounts(for pricing: Pricing, side: Side, tick: TickSize?) throws(Failure) -> (OrderAmounts?, UInt256, UInt256) {
        let computed: OrderAmounts
        switch pricing {
        case .fixed(let maker, let taker):
            return (nil, maker, taker)
        case .limit(let price, let size):
            guard let tick else { throw .tickSizeRequired }
            do { computed = try OrderAmounts.limit(side: side, price: price.description, size: size.description, tick: tick) } catch { throw .amounts(error) }
        case .market(let price, let amount):
            guard let tick else { throw .tickSizeRequired }
            switch (side, amount) {
            case (.buy, .collateral), (.sell, .shares): break
            case (.buy, .shares), (.sell, .collateral): throw .marketAmountSide(side)
            }
            do { computed = try OrderAmounts.market(side: side, price: price.description, amount: amount.text, tick: tick) } catch { throw .amounts(error) }
        }
        return (computed, UInt256(computed.makerAmount), UInt256(computed.takerAmount))
    }
}
