import PolypipeCore
/// Risk limits from a JSON file, amounts as decimal strings in pUSD (exact; no binary floats):
///
/// ```json
/// {"max_order_notional": "50", "max_market_exposure": "200", "max_total_exposure": "1000",
///  "max_orders_per_minute": 120, "price_band": "0.10", "daily_loss_limit": "100",
///  "max_token_shares": "500"}
/// ```
/// Every field is required — a limit is never guessed — except `max_token_shares` (shares of
/// one outcome token, held plus resting BUYs), which is off when absent.
extension RiskLimits {
    public struct FileError: Error, Equatable, CustomStringConvertible {
        public let description: String
    }

    /// The limits `exec-proc` uses in paper and dry-run mode when no file is given. Live mode
    /// refuses to start on these (``LiveGate``).
    public static let paperDefaults = RiskLimits(
        maxOrderNotional: Collateral(micros: 50_000_000), maxMarketExposure: Collateral(micros: 250_000_000),
        maxTotalExposure: Collateral(micros: 1_000_000_000), maxOrdersPerMinute: 600,
        priceBand: Price(micros: 150_000), dailyLossLimit: Collateral(micros: 200_000_000))

    public init(json text: String) throws(FileError) {
        guard let json = try? JSONParser.parse(Array(text.utf8)), case .object = json else {
            throw FileError(description: "risk limits: not a JSON object")
        }
        func amount(_ key: String) throws(FileError) -> UInt64 {
            guard let value = json[key] else { throw FileError(description: "risk limits: '\(key)' is missing") }
            guard let text = value.scalarText, let micros = try? MicroUnits.parse(text) else {
                throw FileError(description: "risk limits: '\(key)' must be a decimal amount with at most 6 decimals")
            }
            return micros
        }
        guard let rateText = json["max_orders_per_minute"]?.scalarText else {
            throw FileError(description: "risk limits: 'max_orders_per_minute' is missing")
        }
        guard let rate = Int(rateText), rate > 0 else { throw FileError(description: "risk limits: 'max_orders_per_minute' must be a positive integer") }
        let band = try amount("price_band")
        guard band > 0, band < 1_000_000 else { throw FileError(description: "risk limits: 'price_band' must be inside (0, 1)") }
        self.init(maxOrderNotional: Collateral(micros: try amount("max_order_notional")),
                  maxMarketExposure: Collateral(micros: try amount("max_market_exposure")),
                  maxTotalExposure: Collateral(micros: try amount("max_total_exposure")),
                  maxOrdersPerMinute: rate, priceBand: Price(micros: band),
                  dailyLossLimit: Collateral(micros: try amount("daily_loss_limit")),
                  maxTokenShares: json["max_token_shares"] == nil ? nil : Shares(micros: try amount("max_token_shares")))
    }
}
