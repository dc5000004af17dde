import Foundation
import PolypipeCore
import VenueClient

/// `polypipe order build` and `polypipe order sign`: one JSON request in, one JSON result out.
/// Field names are the vectors' own (`clob-v2-vectors.json`, kind `order`).
struct OrderRequests {
    let keys: KeyProvider

    // MARK: build

    /// An `order` case's `inputs` → amounts, hashes, signature, POST body and L2 headers.
    func build(_ fields: RequestFields) throws(RequestError) -> JSONValue {
        let kind = try orderKind(fields)
        let orderType = try fields.orderType()
        let postOnly = try fields.bool("post_only", default: false)
        guard !(postOnly && !orderType.allowsPostOnly) else { throw RequestError("post_only is not supported for FOK/FAK orders") }
        if fields.has("token_id") && fields.has("position_id") { throw RequestError("provide exactly one of token_id or position_id") }
        let signatureType = try fields.signatureType("signature_type") ?? .eoa
        let exchange = try resolveExchange(fields)
        let side = try fields.side("side")
        let tick = try fields.tickSize()

        let pricing: OrderBuilder.Pricing
        switch kind {
        case "limit", "market":
            guard let tick else { throw .field("tick_size", "is required for a \(kind) order") }
            guard let price = try fields.decimalText("price") else { throw .field("price_str", "is required") }
            // The range check comes first, as in the official client (and before any key use).
            do { _ = try OrderAmounts.checkRange(price, tick: tick) } catch { throw RequestError(error.description) }
            // Exact 6-decimal values from here on: text with more decimals is refused, not rounded.
            let exactPrice: Price
            do { exactPrice = try Price(price) } catch { throw .field("price_str", error.description) }
            if kind == "limit" {
                guard let size = try fields.decimalText("size") else { throw .field("size_str", "is required for a limit order") }
                do { pricing = .limit(price: exactPrice, size: try Shares(size)) } catch { throw .field("size_str", error.description) }
            } else {
                guard let amount = try fields.decimalText("amount") else { throw .field("amount_str", "is required for a market order") }
                do {
                    let exact: OrderBuilder.MarketAmount = try side == .buy ? .collateral(Collateral(amount)) : .shares(Shares(amount))
                    pricing = .market(price: exactPrice, amount: exact)
                } catch { throw .field("amount_str", error.description) }
            }
        default:
            pricing = .fixed(makerAmount: try fields.requiredUInt256("maker_amount"), takerAmount: try fields.requiredUInt256("taker_amount"))
        }

        let key = try keys.key(for: fields)
        let chain = try fields.chain()
        let tokenID: TokenID
        if let position = try fields.uint256("position_id") { tokenID = TokenID(position) }
        else if let token = try fields.uint256("token_id") { tokenID = TokenID(token) }
        else { throw RequestError("token_id: one of token_id or position_id is required") }

        var builder = OrderBuilder(signer: OrderSigner(key: key, chain: chain), signatureType: signatureType, funder: try fields.address("funder"))
        if kind == "fixed_amounts" {
            // Fixed-amount requests may name maker and signer directly (ExchangeOrderBuilderV2).
            builder = try builderOverriding(builder, fields: fields)
        }
        let salt = try fields.uint256("salt") ?? Order.randomSalt()
        let timestamp = try fields.uint256("timestamp_ms") ?? Self.nowMilliseconds()
        let metadata = try fields.bytes32("metadata") ?? .zero
        let builderCode = try fields.bytes32("builder_code") ?? .zero
        let expiration = try fields.uint64("expiration") ?? 0
        let built: OrderBuilder.Built
        do {
            built = try builder.build(pricing, side: side, tokenID: tokenID, tick: tick, exchange: exchange, salt: salt,
                                      timestamp: timestamp, metadata: metadata, builder: builderCode, expiration: expiration)
        } catch {
            throw RequestError(error.description)
        }

        var members: [(key: String, value: JSONValue)] = [
            ("maker_amount", .string(built.signed.order.makerAmount.description)),
            ("taker_amount", .string(built.signed.order.takerAmount.description)),
            ("rounded_price_str", built.amounts.map { .string($0.price.shortDescription) } ?? .null),
        ]
        members += try signedMembers(built.signed, key: key, fields: fields, orderType: orderType, postOnly: postOnly)
        return .object(members)
    }

    // MARK: sign

    /// Signs given amounts without recomputing them: `message` as in `expected.eip712.message`.
    func sign(_ fields: RequestFields) throws(RequestError) -> JSONValue {
        guard let message = try fields.object("message") else { throw .field("message", "is required (the Order struct to sign)") }
        let orderType = try fields.orderType()
        let postOnly = try fields.bool("post_only", default: false)
        guard !(postOnly && !orderType.allowsPostOnly) else { throw RequestError("post_only is not supported for FOK/FAK orders") }
        let key = try keys.key(for: fields)
        let chain = try fields.chain()
        let exchange = try resolveExchange(fields)

        let outer = try fields.signatureType("signature_type")
        guard let signatureType = try message.signatureType("signatureType") ?? outer else {
            throw .field("message.signatureType", "is required")
        }
        if let outer, outer != signatureType {
            throw .field("signature_type", "\(outer.rawValue) disagrees with message.signatureType \(signatureType.rawValue)")
        }
        guard let maker = try message.address("maker") else { throw .field("message.maker", "is required") }
        guard let signer = try message.address("signer") else { throw .field("message.signer", "is required") }
        let order = Order(salt: try message.requiredUInt256("salt"), maker: maker, signer: signer,
                          tokenID: TokenID(try message.requiredUInt256("tokenId")),
                          makerAmount: try message.requiredUInt256("makerAmount"),
                          takerAmount: try message.requiredUInt256("takerAmount"),
                          side: try message.side("side"), signatureType: signatureType,
                          timestamp: try message.requiredUInt256("timestamp"),
                          metadata: try wireBytes32(message, "metadata", body: fields, "metadata"),
                          builder: try wireBytes32(message, "builder", body: fields, "builder_code"))
        let expiration = try fields.uint64("expiration") ?? 0
        let signed: SignedOrder
        do {
            signed = try OrderSigner(key: key, chain: chain).sign(order, for: exchange, expiration: expiration)
        } catch {
            throw RequestError(error.description)
        }
        return .object(try signedMembers(signed, key: key, fields: fields, orderType: orderType, postOnly: postOnly))
    }

    // MARK: shared steps

    private func orderKind(_ fields: RequestFields) throws(RequestError) -> String {
        if let kind = try fields.string("order_kind") {
            guard ["limit", "market", "fixed_amounts"].contains(kind) else {
                throw .field("order_kind", "\"\(kind)\" is not limit, market or fixed_amounts")
            }
            return kind
        }
        // `call` names the official client's method in the vectors' rejection cases.
        if try fields.string("call") == "create_market_order" { return "market" }
        return fields.has("maker_amount") ? "fixed_amounts" : "limit"
    }

    /// position_id → ExchangeV3 (neg risk ignored); else `exchange_version`; else the recorded
    /// `/version` answer (`server_version_response`); else 2, as the SDKs default.
    private func resolveExchange(_ fields: RequestFields) throws(RequestError) -> Exchange {
        if fields.has("position_id") { return .v3 }
        var version = try fields.uint64("exchange_version")
        if version == nil { version = try fields.uint64("version") }
        if version == nil, let response = try fields.object("server_version_response") {
            version = try? response.uint64("version")
        }
        let negRisk = try fields.bool("neg_risk", default: false)
        switch version ?? 2 {
        case 2: return Exchange.select(version: .v2, negRisk: negRisk)
        case 3: return .v3
        case 1: throw .field("exchange_version", "1 is the retired CLOB V1 format, which the venue rejects since 2026-04-28")
        case let other: throw .field("exchange_version", "\(other) is not a known exchange version (2 or 3)")
        }
    }

    private func builderOverriding(_ builder: OrderBuilder, fields: RequestFields) throws(RequestError) -> OrderBuilder {
        let maker = try fields.address("maker") ?? builder.maker
        let signer = try fields.address("signer") ?? builder.signingAddress
        let rebuilt = OrderBuilder(signer: builder.signer, signatureType: builder.signatureType, funder: maker)
        guard rebuilt.signingAddress == signer else {
            throw .field("signer", "\(signer) is not the address this key signs for with signature type \(builder.signatureType.rawValue) (\(rebuilt.signingAddress))")
        }
        return rebuilt
    }

    /// The signed bytes come from the message; the JSON text from the request's own field when
    /// it names the same bytes (the official client sends the caller's spelling verbatim).
    private func wireBytes32(_ message: RequestFields, _ key: String, body fields: RequestFields, _ bodyKey: String) throws(RequestError) -> Bytes32 {
        let signed = try message.bytes32(key) ?? .zero
        if let spelled = try fields.bytes32(bodyKey), spelled == signed { return spelled }
        return signed
    }

    private func signedMembers(_ signed: SignedOrder, key: PrivateKey, fields: RequestFields,
                               orderType: OrderType, postOnly: Bool) throws(RequestError) -> [(key: String, value: JSONValue)] {
        guard let creds = try fields.object("api_creds") else {
            throw .field("api_creds", "is required: the POST body's owner is the API key, and the L2 headers need its secret")
        }
        let credentials = ApiCredentials(apiKey: try creds.requiredString("api_key"),
                                         secret: try creds.requiredString("api_secret"),
                                         passphrase: try creds.requiredString("api_passphrase"))
        let body = OrderPayload.body(signed, owner: credentials.apiKey, orderType: orderType,
                                     deferExec: try fields.bool("defer_exec", default: false), postOnly: postOnly)
        let l2: L2Signer
        do { l2 = try L2Signer(credentials: credentials, address: key.address) } catch { throw .field("api_creds.api_secret", error.description) }
        let timestamp = try fields.numberText("l2_timestamp") ?? String(Int(Date().timeIntervalSince1970))
        let headers = l2.headers(timestamp: timestamp, method: "POST", path: "/order", body: body)
        let domain = signed.exchange.domain(on: try fields.chain())
        return [
            ("maker", .string(signed.order.maker.text)),
            ("signer", .string(signed.order.signer.text)),
            ("exchange", .string(signed.exchange.rawValue)),
            ("exchange_version", .number(String(signed.exchange.version.rawValue))),
            ("verifying_contract", .string(domain.verifyingContract?.checksummed ?? "")),
            ("domain_separator", .string(Hex.encode(signed.domainSeparator))),
            ("struct_hash", .string(Hex.encode(signed.structHash))),
            ("order_hash", .string(signed.orderID)),
            ("signature", .string(Hex.encode(signed.signature))),
            ("post_body", .string(body)),
            ("post_headers", .object(headers.map { ($0.name, JSONValue.string($0.value)) })),
        ]
    }

    static func nowMilliseconds() -> UInt256 { UInt256(UInt64(Date().timeIntervalSince1970 * 1000)) }
}
