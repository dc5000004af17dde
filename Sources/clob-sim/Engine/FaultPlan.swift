/// Faults the admin API injects into the venue's answers, for chaos tests of the pipeline.
///
/// Each fault is a count or a share (parts per million, drawn from the seeded sequence), so a
/// run with the same seed and the same requests fails the same way.
struct FaultPlan: Sendable, Equatable {
    /// Added before every answer (milliseconds).
    var latencyMillis: Int = 0
    /// Share of non-admin requests answered 500 (`could not run the execution`) without acting.
    var serverErrorPartsPerMillion: UInt64 = 0
    /// The next N requests get 429 with `Retry-After`.
    var rateLimitBurst: Int = 0
    var retryAfterSeconds: Int = 2
    /// The next N `POST /order` or `POST /orders` are carried out, but the answer is held back this long, so a
    /// client with a shorter timeout sees a timeout for an order that was placed.
    var timeoutButPlaced: Int = 0
    var withheldMillis: Int = 5_000
    /// The next N targeted cancels (`DELETE /order`, `DELETE /orders`) lose the race to a
    /// fill: each named open order is filled in full first, so the answer is `not_canceled`
    /// "Order already matched" (test matrix CAN-02).
    var fillBeforeCancel: Int = 0
    /// Share of trades that settle FAILED (voided: a ghost fill), on top of the configured one.
    var ghostFillPartsPerMillion: UInt64 = 0
    /// Trading mode: `normal`, `cancel-only`, `post-only`, `disabled`, or `restarting` (425 on
    /// order calls while the engine "restarts"), spec §4.7.
    var mode: TradingMode = .normal

    enum TradingMode: String, Sendable {
        case normal
        case cancelOnly = "cancel-only"
        case postOnly = "post-only"
        case disabled
        case restarting
    }
}

/// What the responder does around one request.
struct FaultDecision: Sendable, Equatable {
    var delayBeforeMillis: Int = 0
    /// Answer this instead of routing the request.
    var shortCircuit: SimResponse?
    /// Route the request, then wait this long before answering.
    var delayAfterMillis: Int = 0
}
