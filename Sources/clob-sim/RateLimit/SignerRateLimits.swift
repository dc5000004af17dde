import PolypipeCore
import VenueClient

/// The venue's per-signer trading limits (spec §6.1, §9): one order bucket and one cancel bucket
/// per signer — the address an API key belongs to, so every key of one address shares them —
/// sized by the signer's ``RateLimitTier``.
///
/// A plain value owned by the ``Venue`` actor; times are the venue clock's unix milliseconds, so
/// with `--time-scale` the buckets refill in sim time, as `Poly-RateLimit-Reset` is written.
struct SignerRateLimits: Sendable {
    /// Which bucket a call draws from. Cancels never wait behind orders.
    enum Kind: Sendable {
        case orders, cancels
    }

    /// What a signer's bucket says after a call: the figures the `Poly-RateLimit-*` headers carry.
    struct Reading: Sendable, Equatable {
        let tier: RateLimitTier
        /// Whole tokens left (negative while in debt, after a large cancel-all).
        let remaining: Int
        /// Unix seconds at which the bucket is full again (the venue clock, rounded up).
        let resetSeconds: Int64
    }

    /// A refusal: the bucket holds fewer tokens than the call costs.
    struct Refusal: Error, Sendable, Equatable {
        let kind: Kind
        let cost: Int
        let reading: Reading
        /// Whole seconds until `cost` tokens are there (at least 1); for a cost above the
        /// burst, the seconds until the bucket is full (no wait admits it: ``exceedsBurst``).
        let retryAfterSeconds: Int64
        /// The cost is above the burst: the request can never be admitted as it is.
        var exceedsBurst: Bool { cost > reading.tier.size(of: kind).burst }
    }

    /// The tier of a signer with no override.
    let defaultTier: RateLimitTier
    /// Per-signer tiers (from the `--accounts` file).
    private let overrides: [EthereumAddress: RateLimitTier]
    private var orderBuckets: [EthereumAddress: TokenBucket] = [:]
    private var cancelBuckets: [EthereumAddress: TokenBucket] = [:]

    init(defaultTier: RateLimitTier, overrides: [EthereumAddress: RateLimitTier] = [:]) {
        self.defaultTier = defaultTier
        self.overrides = overrides
    }

    func tier(of signer: EthereumAddress) -> RateLimitTier { overrides[signer] ?? defaultTier }

    /// Takes `cost` tokens from the signer's bucket, all or nothing (a batch is admitted whole
    /// or refused whole).
    /// - Throws: ``Refusal`` when the bucket holds fewer than `cost` tokens (nothing is taken).
    mutating func take(_ cost: Int, from kind: Kind, signer: EthereumAddress, nowMillis: Int64) throws(Refusal) -> Reading {
        var bucket = self.bucket(kind, signer, nowMillis)
        defer { store(bucket, kind, signer) }
        guard bucket.take(cost, nowMillis: nowMillis) else {
            let reading = Self.reading(&bucket, tier(of: signer), nowMillis)
            let waitMillis = bucket.millisUntilAvailable(cost, nowMillis: nowMillis) ?? (reading.resetSeconds * 1000 - nowMillis)
            throw Refusal(kind: kind, cost: cost, reading: reading, retryAfterSeconds: max(1, (waitMillis + 999) / 1000))
        }
        return Self.reading(&bucket, tier(of: signer), nowMillis)
    }

    /// Debits `cost` tokens whatever the balance: work already done (the orders a cancel-all
    /// removed after its first token was taken). The bucket may go into debt.
    mutating func charge(_ cost: Int, to kind: Kind, signer: EthereumAddress, nowMillis: Int64) -> Reading {
        var bucket = self.bucket(kind, signer, nowMillis)
        bucket.charge(cost, nowMillis: nowMillis)
        store(bucket, kind, signer)
        return Self.reading(&bucket, tier(of: signer), nowMillis)
    }

    /// The signer's bucket as it stands, without taking anything.
    mutating func reading(_ kind: Kind, signer: EthereumAddress, nowMillis: Int64) -> Reading {
        var bucket = self.bucket(kind, signer, nowMillis)
        store(bucket, kind, signer)
        return Self.reading(&bucket, tier(of: signer), nowMillis)
    }

    private func bucket(_ kind: Kind, _ signer: EthereumAddress, _ nowMillis: Int64) -> TokenBucket {
        let size = tier(of: signer).size(of: kind)
        switch kind {
        case .orders: return orderBuckets[signer] ?? TokenBucket(size, nowMillis: nowMillis)
        case .cancels: return cancelBuckets[signer] ?? TokenBucket(size, nowMillis: nowMillis)
        }
    }

    private mutating func store(_ bucket: TokenBucket, _ kind: Kind, _ signer: EthereumAddress) {
        switch kind {
        case .orders: orderBuckets[signer] = bucket
        case .cancels: cancelBuckets[signer] = bucket
        }
    }

    private static func reading(_ bucket: inout TokenBucket, _ tier: RateLimitTier, _ nowMillis: Int64) -> Reading {
        let remaining = bucket.available(nowMillis: nowMillis)
        // Time until the whole burst is back: the reset a client can count on.
        let toFull = bucket.millisUntilAvailable(bucket.size.burst, nowMillis: nowMillis) ?? 0
        return Reading(tier: tier, remaining: remaining, resetSeconds: (nowMillis + toFull + 999) / 1000)
    }
}

extension RateLimitTier {
    /// The size of the bucket of `kind`.
    func size(of kind: SignerRateLimits.Kind) -> Bucket {
        kind == .orders ? orders : cancels
    }
}
