import PolypipeCore

/// The venue calls the Execution library makes: the seam between deciding what to trade and
/// the HTTP that does it. ``ClobClient`` is the one production conformance.
///
/// Small on purpose: only what exec-proc uses — placing, looking up and cancelling orders,
/// reading its account and the market facts an order is built from, and the dead-man
/// heartbeat. Every other venue call stays on ``ClobClient``. Tests keep going through the real
/// client against an HTTP-level fake (`FakeVenue`), so wire behaviour stays under test.
///
/// Every call blocks until the venue answers (run it on a dedicated thread, never on the
/// cooperative pool) and is safe from any thread.
///
/// - Important: a failed call proves only what its ``ClobError`` says. Every case but
///   ``ClobError/unknown(_:)`` proves the venue did not apply the request
///   (``ClobError/provesNotApplied``); `unknown` — a timeout, a reset, a 5xx, an unreadable
///   answer — means a write may have happened. Unknown is never rejected: resolve an order of
///   unknown outcome by asking for its id, never by signing it again.
public protocol VenueAPI: Sendable {
    /// The signer's order and cancel buckets (spec §6.1) this connection paces against; nil:
    /// no local pacing. Callers that place orders wait on it themselves (one token per order,
    /// a batch's all at once), as they know the actions' deadlines.
    var rateLimits: RateLimitPacer? { get }

    // MARK: Orders

    /// `POST /order` with the exact signed bytes. Never throws: the answer is what the venue
    /// proved — accepted, rejected (the same bytes would fail again), refused whole before it
    /// was considered (may be sent again later), or unknown (look it up by id). Resending an
    /// unknown outcome must send these same bytes.
    func postOrder(body: [UInt8]) -> SubmitOutcome
    /// `POST /orders`: up to ``ClobClient/maxBatch`` signed bodies in one request, one outcome
    /// per leg in order (a failure of the whole request — a timeout, a 5xx — applies to every
    /// leg). Never post a batch again blindly: an unknown leg is looked up by its id.
    func postOrders(bodies: [[UInt8]]) -> [SubmitOutcome]
    /// `GET /data/order/{id}`: the order, or nil only when the venue says it does not know it
    /// (404). Any other failure throws; it does not mean the order is absent.
    func order(id: OrderID) throws(ClobError) -> OpenOrder?
    /// Every open order of the account (all pages), optionally for one market and/or token.
    /// A throw means the list is unknown — not that it is empty.
    func openOrders(conditionID: String?, tokenID: TokenID?) throws(ClobError) -> [OpenOrder]
    /// The account's trades (all pages), as filtered; `after` is unix seconds.
    func trades(conditionID: String?, tokenID: TokenID?, after: Int64?) throws(ClobError) -> [Trade]
    /// `DELETE /cancel-all`: the ids cancelled and those the venue would not cancel, with why.
    /// A throw that is not a rejection leaves it open whether anything was cancelled.
    func cancelAll() throws(ClobError) -> CancelResult
    /// `DELETE /order`: one order. The venue answers which ids it cancelled and, for the others,
    /// why not ("Order already matched", "Order not found or already canceled"); a throw that is
    /// not a rejection leaves it open whether the order was cancelled. Idempotent: asking again
    /// is safe. Draws on the signer's cancel bucket, never the order bucket.
    func cancel(orderID: OrderID) throws(ClobError) -> CancelResult
    /// `DELETE /orders`: several orders at once (one cancel token each), answered as ``cancel(orderID:)``.
    func cancel(orderIDs: [OrderID]) throws(ClobError) -> CancelResult
    /// `DELETE /cancel-market-orders`: every open order of the account in a market, optionally
    /// narrowed to one token.
    func cancelMarket(conditionID: String?, tokenID: TokenID?) throws(ClobError) -> CancelResult

    // MARK: Account

    /// `GET /balance-allowance`: the balance (6-decimal base units) and allowances of one asset.
    func balanceAllowance(_ asset: ClobClient.AssetType, tokenID: TokenID?, signatureType: SignatureType) throws(ClobError) -> BalanceAllowance
    /// `POST /auth/readonly-api-key`: a new key of this account that can read but not trade.
    func createReadOnlyApiKey() throws(ClobError) -> ApiCredentials

    // MARK: Market facts

    /// `GET /version`: the order version the venue expects.
    func version() throws(ClobError) -> Int
    /// `GET /tick-size`: the token's minimum price increment.
    func tickSize(_ token: TokenID) throws(ClobError) -> TickSize
    /// `GET /neg-risk`: whether the token's market settles through the neg-risk exchange.
    func negRisk(_ token: TokenID) throws(ClobError) -> Bool
    /// `GET /markets-by-token/{token}`: the market's condition id and its two tokens.
    func marketByToken(_ token: TokenID) throws(ClobError) -> (conditionID: String, primary: TokenID, secondary: TokenID)
    /// `GET /book`: the token's order book summary.
    func book(_ token: TokenID) throws(ClobError) -> OrderBookSummary

    // MARK: Dead-man switch

    /// `POST /v1/heartbeats` (spec §4.6): send `""` first, then the id returned. A throw means
    /// this beat may not have counted; the venue cancels every open order when beats lapse.
    func heartbeat(id: String) throws(ClobError) -> String
}

extension ClobClient: VenueAPI {}
