import PolypipeCore
/// Reading a `POST /order` body back (spec §1.7): what the venue (and the simulator) receives.
extension OrderPayload {
    /// One decoded order object.
    public struct Decoded: Sendable, Hashable {
        public let order: Order
        public let expiration: UInt64
        public let signature: [UInt8]
        /// The API key that owns the order.
        public let owner: String
        public let orderType: OrderType
        public let deferExec: Bool
        public let postOnly: Bool
    }


    /// Why a body is not a valid order payload; `description` names the field.
    public struct DecodingError: Error, Equatable, CustomStringConvertible {
        public let field: String
        public let problem: String
        public var description: String { "\(field): \(problem)" }
    }

    /// Decodes one order object `{"order": {…}, "owner", "orderType", "deferExec", "postOnly"}`.
    /// Accepts what the official clients send (addresses in any case, `metadata` `""`, postOnly
    /// absent) and refuses anything ambiguous.
    /// - Throws: ``DecodingError``.
    public static func decode(_ json: JSONValue) throws(DecodingError) -> Decoded {
        func fail(_ field: String, _ problem: String) -> DecodingError { DecodingError(field: field, problem: problem) }
        guard case .object = json else { throw fail("body", "expected an object, got \(json.kindName)") }
        guard let order = json["order"], case .object = order else { throw fail("order", "is missing or not an object") }
        func text(_ key: String) throws(DecodingError) -> String {
            guard let value = order[key]?.scalarText else { throw fail("order.\(key)", "is missing") }
            return value
        }
        func uint(_ key: String) throws(DecodingError) -> UInt256 {
            let raw = try text(key)
            do { return try UInt256(decimal: raw) } catch { throw fail("order.\(key)", "\(raw) is not a non-negative integer") }
        }
        func address(_ key: String) throws(DecodingError) -> EthereumAddress {
            let raw = try text(key)
            do { return try EthereumAddress(raw) } catch { throw fail("order.\(key)", error.description) }
        }
        func bytes32(_ key: String) throws(DecodingError) -> Bytes32 {
            let raw = order[key]?.scalarText ?? ""
            do { return try Bytes32(raw) } catch { throw fail("order.\(key)", error.description) }
        }
        let sideText = try text("side")
        guard let side = Side(rawValue: sideText) else { throw fail("order.side", "\"\(sideText)\" is not BUY or SELL") }
        let typeText = try text("signatureType")
        guard let typeValue = UInt8(typeText), let signatureType = SignatureType(rawValue: typeValue) else {
            throw fail("order.signatureType", "\(typeText) is not 0, 1, 2 or 3")
        }
        let expirationText = order["expiration"]?.scalarText ?? "0"
        guard let expiration = UInt64(expirationText) else { throw fail("order.expiration", "\(expirationText) is not unix seconds") }
        let signatureText = try text("signature")
        let signature: [UInt8]
        do { signature = try Hex.decode(signatureText) } catch { throw fail("order.signature", error.description) }
        let decodedOrder = Order(salt: try uint("salt"), maker: try address("maker"), signer: try address("signer"),
                                 tokenID: TokenID(try uint("tokenId")), makerAmount: try uint("makerAmount"),
                                 takerAmount: try uint("takerAmount"), side: side, signatureType: signatureType,
                                 timestamp: try uint("timestamp"), metadata: try bytes32("metadata"), builder: try bytes32("builder"))
        guard let owner = json["owner"]?.scalarText, !owner.isEmpty else { throw fail("owner", "is missing") }
        let orderTypeText = json["orderType"]?.scalarText ?? "GTC"
        guard let orderType = OrderType(rawValue: orderTypeText) else { throw fail("orderType", "\"\(orderTypeText)\" is not GTC, GTD, FOK or FAK") }
        func flag(_ key: String) throws(DecodingError) -> Bool {
            switch json[key] {
            case nil, .null?: return false
            case .bool(let value)?: return value
            case let other?: throw fail(key, "expected true or false, got \(other.kindName)")
            }
        }
        return Decoded(order: decodedOrder, expiration: expiration, signature: signature, owner: owner, orderType: orderType,
                       deferExec: try flag("deferExec"), postOnly: try flag("postOnly"))
    }
}
