import Synchronization

/// Whether the venue heartbeat is current. exec-proc refuses new orders while it is not
/// (fail closed); cancels still go out.
public final class VenueHealth: Sendable {
    private let healthy: Atomic<Bool>
    private let lastSuccessMillis = Atomic<Int64>(0)
    /// A heartbeat older than this counts as failing even if the last call succeeded (a stuck
    /// heartbeat thread must not keep trading open).
    public let staleAfterMillis: Int64

    public init(healthy: Bool = false, staleAfterMillis: Int64 = 12_000) {
        self.healthy = Atomic(healthy)
        self.staleAfterMillis = staleAfterMillis
        if healthy { lastSuccessMillis.store(BusClock.nowMillis(), ordering: .relaxed) }
    }

    public var isHealthy: Bool {
        healthy.load(ordering: .acquiring) && BusClock.nowMillis() - lastSuccessMillis.load(ordering: .relaxed) <= staleAfterMillis
    }

    public func succeeded() {
        lastSuccessMillis.store(BusClock.nowMillis(), ordering: .relaxed)
        healthy.store(true, ordering: .releasing)
    }

    public func failed() { healthy.store(false, ordering: .releasing) }
}
