/// A signer's trading rate-limit tier: the sizes of the two per-signer token buckets the venue
/// keeps since 2026-07-24, one for orders and one for cancels (spec §6.1, §9).
///
/// A bucket refills at `rate` tokens a second up to `burst`. `POST /order` costs 1 order token,
/// `POST /orders` one per order; `DELETE /order` 1 cancel token, `DELETE /orders` one per id,
/// `/cancel-all` and `/cancel-market-orders` 1 plus one per order cancelled. A batch is admitted
/// whole or refused whole, so a batch costing more than the burst can never pass.
///
/// ```swift
/// let tier = RateLimitTier(venueName: "Silver")   // from a Poly-RateLimit-Tier header
/// tier?.orders.burst                              // 300
/// ```
public enum RateLimitTier: String, Sendable, CaseIterable, Codable {
    case standard, copper, bronze, silver, gold, platinum, diamond, elite
    /// No per-signer limit: for simulator benchmarks and focused tests only; the real venue has
    /// no such tier.
    case unlimited

    /// One bucket's size: tokens per second and the most it holds.
    public struct Bucket: Sendable, Equatable {
        public var rate: Int
        public var burst: Int

        public init(rate: Int, burst: Int) {
            self.rate = rate
            self.burst = burst
        }
    }

    /// The order bucket (spec §6.1's table).
    public var orders: Bucket {
        switch self {
        case .standard: return Bucket(rate: 40, burst: 60)
        case .copper: return Bucket(rate: 60, burst: 90)
        case .bronze: return Bucket(rate: 80, burst: 120)
        case .silver: return Bucket(rate: 200, burst: 300)
        case .gold: return Bucket(rate: 400, burst: 600)
        case .platinum: return Bucket(rate: 450, burst: 675)
        case .diamond: return Bucket(rate: 525, burst: 787)
        case .elite: return Bucket(rate: 600, burst: 900)
        case .unlimited: return Bucket(rate: 1_000_000_000, burst: 1_000_000_000)
        }
    }

    /// The cancel bucket: twice the order bucket on every tier.
    public var cancels: Bucket {
        switch self {
        case .standard: return Bucket(rate: 80, burst: 120)
        case .copper: return Bucket(rate: 120, burst: 180)
        case .bronze: return Bucket(rate: 160, burst: 240)
        case .silver: return Bucket(rate: 400, burst: 600)
        case .gold: return Bucket(rate: 800, burst: 1_200)
        case .platinum: return Bucket(rate: 900, burst: 1_350)
        case .diamond: return Bucket(rate: 1_050, burst: 1_575)
        case .elite: return Bucket(rate: 1_200, burst: 1_800)
        case .unlimited: return Bucket(rate: 1_000_000_000, burst: 1_000_000_000)
        }
    }

    /// The name the venue sends in `Poly-RateLimit-Tier` (capitalised, e.g. `Silver`).
    public var venueName: String { rawValue.prefix(1).uppercased() + rawValue.dropFirst() }

    /// Parses a tier name case-insensitively (`Silver`, `silver`, `SILVER`); nil for anything
    /// else, so an unexpected header never changes the model.
    public init?(venueName: String) {
        self.init(rawValue: venueName.trimmingCharacters(in: .whitespaces).lowercased())
    }
}
