import Bus
import PolypipeCore
/// Checks an `Action` that an external model sent to `<runtime>/signal/external.sock`, before
/// anything is forwarded to exec-proc.
///
/// The message must be a bus envelope (3 frames, see ``Envelope``) with topic "action" and a
/// `polypipe.bus.v1.Action` payload. Rules: `id`, `market` and `token_id` present (the token a
/// decimal uint256), `side` BUY or SELL, `size_micros > 0`, `limit_price_micros` in (0, 1) i.e.
/// 1 … 999 999, `expected_price_micros` 0 (then the limit is used) or in (0, 1), `ttl_ms > 0`.
/// A missing `created_at_ms` (0) is stamped with the receive time. A valid action is forwarded
/// with `strategy = "external:<its strategy, or the envelope source>"`.
public enum ExternalAction {
    /// Why a message was not forwarded. Each is counted and logged; none stops the process.
    public enum Rejection: Error, Sendable, Hashable, CustomStringConvertible {
        case malformedEnvelope(String)
        case wrongTopic(String)
        case malformedPayload(String)
        case missingID
        case missingMarket
        case badToken(String)
        case sideUnset
        case zeroSize
        case limitPriceOutOfRange(UInt64)
        case expectedPriceOutOfRange(UInt64)
        case nonPositiveTTL(Int64)
        /// A cancel or a replace that does not name exactly one order (or, for a cancel, market).
        case cancelTarget(String)

        /// A short fixed label (for a log field or a metric dimension).
        public var reason: String {
            switch self {
            case .malformedEnvelope: return "malformed_envelope"
            case .wrongTopic: return "wrong_topic"
            case .malformedPayload: return "malformed_payload"
            case .missingID: return "missing_id"
            case .missingMarket: return "missing_market"
            case .badToken: return "bad_token"
            case .sideUnset: return "side_unset"
            case .zeroSize: return "zero_size"
            case .limitPriceOutOfRange: return "limit_price_out_of_range"
            case .expectedPriceOutOfRange: return "expected_price_out_of_range"
            case .nonPositiveTTL: return "non_positive_ttl"
            case .cancelTarget: return "cancel_target"
            }
        }

        public var description: String {
            switch self {
            case .malformedEnvelope(let why): return "not a bus envelope: \(why)"
            case .wrongTopic(let topic): return "topic is \"\(topic)\", expected \"action\" (or, where accepted, \"replace\" or \"cancel\")"
            case .malformedPayload(let why): return "payload is not an Action: \(why)"
            case .missingID: return "id is empty"
            case .missingMarket: return "market is empty"
            case .badToken(let text): return "token_id \"\(text)\" is not a decimal token id"
            case .sideUnset: return "side is not BUY or SELL"
            case .zeroSize: return "size_micros is 0"
            case .limitPriceOutOfRange(let micros): return "limit_price_micros \(micros) is outside (0, 1000000)"
            case .expectedPriceOutOfRange(let micros): return "expected_price_micros \(micros) is outside (0, 1000000)"
            case .nonPositiveTTL(let ttl): return "ttl_ms \(ttl) is not positive"
            case .cancelTarget(let why): return why
            }
        }
    }

    /// Decodes and validates one received multipart message.
    public static func accept(frames: [[UInt8]], receivedAtMillis: Int64) -> Result<ActionProposal, Rejection> {
        let envelope: Envelope
        do { envelope = try Envelope(frames: frames) } catch { return .failure(.malformedEnvelope(error.description)) }
        guard envelope.topic == BusLayout.Topic.action else { return .failure(.wrongTopic(envelope.topic)) }
        let action: Polypipe_Bus_V1_Action
        do { action = try Polypipe_Bus_V1_Action(busPayload: envelope.payload, topic: envelope.topic) } catch {
            return .failure(.malformedPayload(error.description))
        }
        return validate(action, source: envelope.source, receivedAtMillis: receivedAtMillis)
    }

    /// Validates a decoded action.
    public static func validate(_ action: Polypipe_Bus_V1_Action, source: String, receivedAtMillis: Int64) -> Result<ActionProposal, Rejection> {
        guard !action.id.isEmpty else { return .failure(.missingID) }
        guard !action.market.isEmpty else { return .failure(.missingMarket) }
        guard !action.tokenID.isEmpty, let token = try? TokenID(decimal: action.tokenID) else { return .failure(.badToken(action.tokenID)) }
        let side: Side
        switch action.side {
        case .buy: side = .buy
        case .sell: side = .sell
        default: return .failure(.sideUnset)
        }
        guard action.sizeMicros > 0 || action.amountMicros > 0 else { return .failure(.zeroSize) }
        guard (1..<1_000_000).contains(action.limitPriceMicros) else { return .failure(.limitPriceOutOfRange(action.limitPriceMicros)) }
        guard action.expectedPriceMicros < 1_000_000 else { return .failure(.expectedPriceOutOfRange(action.expectedPriceMicros)) }
        guard action.ttlMs > 0 else { return .failure(.nonPositiveTTL(action.ttlMs)) }
        let timeInForce: ActionProposal.TimeInForce
        switch action.timeInForce {
        case .fok: timeInForce = .fok
        case .fak: timeInForce = .fak
        case .gtd: timeInForce = .gtd
        default: timeInForce = .gtc
        }
        let name = action.strategy.isEmpty ? source : action.strategy
        var proposal = ActionProposal(
            id: action.id, market: action.market, tokenID: token, side: side, size: Shares(micros: action.sizeMicros),
            limitPrice: Price(micros: action.limitPriceMicros),
            expectedPrice: Price(micros: action.expectedPriceMicros == 0 ? action.limitPriceMicros : action.expectedPriceMicros),
            createdAtMillis: action.createdAtMs > 0 ? action.createdAtMs : receivedAtMillis, ttlMillis: action.ttlMs,
            timeInForce: timeInForce, strategy: name.hasPrefix("external:") ? name : "external:\(name.isEmpty ? "unnamed" : name)",
            postOnly: action.postOnly)
        // Passed on as sent: exec-proc checks them (a GTD expiry, an amount, a lifetime).
        proposal.gtdExpiresAtMillis = action.expiresAtMs
        proposal.amountMicros = action.amountMicros
        proposal.maxRestMillis = action.maxRestMs
        return .success(proposal)
    }
}
