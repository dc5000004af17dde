import Fills
import JournalStore
import PolypipeCore
import VenueClient
/// Everything one reconciliation cycle compares, each input stamped with the time it was true.
///
/// The reconciler never reads anything itself: recon-proc gathers these four views (from the
/// bus, the journal and the venue), and ``Reconciler`` compares them. An input whose stamp is
/// older than ``ReconciliationPolicy/staleAfterMillis`` is reported as stale, and the checks
/// that depend on it are skipped, so a frozen input never reads as "in sync" (test matrix REC-08).
public struct ReconciliationInput: Sendable, Hashable {
    /// The four views, for naming a stale one.
    public enum Source: String, Sendable, Hashable, CaseIterable {
        /// Paper positions: what the accepted actions imply.
        case paper
        /// Actual positions: what the fills say.
        case fills
        /// exec-proc's journal of open orders.
        case journal
        /// The venue's open orders.
        case venue
    }

    /// When this cycle runs (unix ms).
    public var nowMillis: Int64
    public var paper: Timestamped<[PaperPosition]>
    public var actual: Timestamped<[ActualPosition]>
    public var journalOpenOrders: Timestamped<[JournalOrder]>
    public var venueOpenOrders: Timestamped<[VenueOrder]>
    /// Ids of orders the venue has shown signs of (a fill, a placement answer, a
    /// status): such an order missing from the open orders filled or ended, it is not "never
    /// heard of" (see ``FillLedger/venueKnownOrderIDs``).
    public var venueKnownOrderIDs: Set<OrderID>

    public init(nowMillis: Int64, paper: Timestamped<[PaperPosition]>, actual: Timestamped<[ActualPosition]>,
                journalOpenOrders: Timestamped<[JournalOrder]>, venueOpenOrders: Timestamped<[VenueOrder]>,
                venueKnownOrderIDs: Set<OrderID> = []) {
        self.nowMillis = nowMillis
        self.paper = paper
        self.actual = actual
        self.journalOpenOrders = journalOpenOrders
        self.venueOpenOrders = venueOpenOrders
        self.venueKnownOrderIDs = venueKnownOrderIDs
    }
}

/// A value and the time it was true (unix ms).
public struct Timestamped<Value: Sendable & Hashable>: Sendable, Hashable {
    public var value: Value
    public var asOfMillis: Int64

    public init(_ value: Value, asOfMillis: Int64) {
        self.value = value
        self.asOfMillis = asOfMillis
    }
}

/// What the strategy's accepted actions imply we hold (see ``PaperBook``).
public struct PaperPosition: Sendable, Hashable {
    public let key: PositionKey
    public let size: Signed<Shares>
    public let averagePrice: Price
    /// The latest accepted action or adjustment here (unix ms): a grace period counts from it.
    public let lastChangeMillis: Int64

    public init(key: PositionKey, size: Signed<Shares>, averagePrice: Price, lastChangeMillis: Int64) {
        self.key = key
        self.size = size
        self.averagePrice = averagePrice
        self.lastChangeMillis = lastChangeMillis
    }
}

/// What the fills say we hold (see ``FillLedger/actualPositions``).
public struct ActualPosition: Sendable, Hashable {
    public let key: PositionKey
    /// Every surviving fill, provisional ones included.
    public let size: Signed<Shares>
    public let confirmedSize: Signed<Shares>
    public let averagePrice: Price
    /// The latest match, settlement step or void here (unix ms): a grace period counts from it.
    public let lastActivityMillis: Int64
    /// Fills here that FAILED: the candidates when paper and actual disagree (ghost fills).
    public let failedFills: [FailedFill]

    public init(key: PositionKey, size: Signed<Shares>, confirmedSize: Signed<Shares>, averagePrice: Price, lastActivityMillis: Int64,
                failedFills: [FailedFill] = []) {
        self.key = key
        self.size = size
        self.confirmedSize = confirmedSize
        self.averagePrice = averagePrice
        self.lastActivityMillis = lastActivityMillis
        self.failedFills = failedFills
    }

    public var provisionalSize: Signed<Shares> { size - confirmedSize }
}

/// A fill that the venue reported FAILED after it had matched (a ghost fill, test matrix SET-02).
public struct FailedFill: Sendable, Hashable {
    public let key: FillKey
    public let side: Side
    public let size: Shares
    public let price: Price
    /// When we learned it FAILED (unix ms).
    public let failedAtMillis: Int64

    public init(key: FillKey, side: Side, size: Shares, price: Price, failedAtMillis: Int64) {
        self.key = key
        self.side = side
        self.size = size
        self.price = price
        self.failedAtMillis = failedAtMillis
    }

    /// The size with the sign of its side (a BUY is positive): what it would have added.
    public var signedSize: Signed<Shares> { side == .buy ? Signed(size) : -Signed(size) }
}

/// An order exec-proc's journal believes may be live.
public struct JournalOrder: Sendable, Hashable {
    public let orderID: OrderID
    public let market: String
    /// When it was signed and journaled (unix ms).
    public let createdAtMillis: Int64

    public init(orderID: OrderID, market: String, createdAtMillis: Int64) {
        self.orderID = orderID
        self.market = market
        self.createdAtMillis = createdAtMillis
    }

    /// A journal entry (take those whose state ``Journal/State/mayBeLive``).
    public init(_ entry: Journal.Entry) {
        self.init(orderID: OrderID(entry.orderHash), market: entry.market, createdAtMillis: entry.createdAtMillis)
    }
}

/// An order the venue lists as open (`GET /data/orders`).
public struct VenueOrder: Sendable, Hashable {
    public let orderID: OrderID
    public let market: String
    public let token: TokenID
    public let side: Side
    public let size: Shares
    public let matched: Shares
    public let price: Price
    /// When the venue made it (unix ms, one-second resolution), when it says.
    public let createdAtMillis: Int64?

    public init(orderID: OrderID, market: String, token: TokenID, side: Side, size: Shares, matched: Shares, price: Price, createdAtMillis: Int64?) {
        self.orderID = orderID
        self.market = market
        self.token = token
        self.side = side
        self.size = size
        self.matched = matched
        self.price = price
        self.createdAtMillis = createdAtMillis
    }

    public init(_ order: OpenOrder) {
        self.init(orderID: order.id, market: order.market, token: order.tokenID, side: order.side, size: order.originalSize,
                  matched: order.sizeMatched, price: order.price, createdAtMillis: order.createdAt.map { $0 * 1000 })
    }
}
