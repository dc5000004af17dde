import PolypipeCore
/// The `POST /order` body (spec §1.7), written byte-for-byte as the official Python client
/// writes it: compact JSON, this key order, `salt` and `signatureType` as JSON numbers, amounts
/// and ids as strings, `deferExec` and `postOnly` always present.
///
/// The body must be produced once and the same bytes both HMACed and sent.
public enum OrderPayload {
    /// The JSON body for one order.
    /// - Parameters:
    ///   - owner: the API key id that owns the order (not the address).
    public static func body(_ signed: SignedOrder, owner: String, orderType: OrderType, deferExec: Bool, postOnly: Bool) -> String {
        String(decoding: bodyBytes(signed, owner: owner, orderType: orderType, deferExec: deferExec, postOnly: postOnly), as: UTF8.self)
    }

    /// The same body as UTF-8 bytes, for the submit path: these exact bytes are HMACed
    /// (``L2Signer/headers(timestamp:method:path:bodyBytes:)``) and sent.
    public static func bodyBytes(_ signed: SignedOrder, owner: String, orderType: OrderType, deferExec: Bool, postOnly: Bool) -> [UInt8] {
        var writer = JSONWriter(reservingCapacity: 1536)  // a body is ~1.1 KB (1.5 KB for POLY_1271)
        write(signed, owner: owner, orderType: orderType, deferExec: deferExec, postOnly: postOnly, into: &writer)
        return writer.bytes
    }

    /// The `POST /orders` body: a JSON array of order objects (at most 15, spec §4.1).
    public static func batchBody(_ entries: [(order: SignedOrder, owner: String, orderType: OrderType, deferExec: Bool, postOnly: Bool)]) -> String {
        var writer = JSONWriter(reservingCapacity: 1024 * entries.count)
        writer.raw("[")
        for (index, entry) in entries.enumerated() {
            if index > 0 { writer.raw(",") }
            write(entry.order, owner: entry.owner, orderType: entry.orderType, deferExec: entry.deferExec, postOnly: entry.postOnly, into: &writer)
        }
        writer.raw("]")
        return writer.text
    }

    /// Every field but `owner` is digits, hex or an enum name (validated when parsed), so it is
    /// written without an escaping scan; `owner` is free text and is escaped.
    static func write(_ signed: SignedOrder, owner: String, orderType: OrderType, deferExec: Bool, postOnly: Bool, into writer: inout JSONWriter) {
        let order = signed.order
        writer.raw("{\"order\":{\"salt\":")
        writer.raw(order.salt.description)
        writer.raw(",\"maker\":"); writer.plainString(order.maker.text)
        writer.raw(",\"signer\":"); writer.plainString(order.signer.text)
        writer.raw(",\"tokenId\":"); writer.plainString(order.tokenID.description)
        writer.raw(",\"makerAmount\":"); writer.plainString(order.makerAmount.description)
        writer.raw(",\"takerAmount\":"); writer.plainString(order.takerAmount.description)
        writer.raw(",\"side\":"); writer.plainString(order.side.rawValue)
        writer.raw(",\"expiration\":"); writer.plainString(String(signed.expiration))
        writer.raw(",\"signatureType\":"); writer.raw(String(order.signatureType.rawValue))
        writer.raw(",\"timestamp\":"); writer.plainString(order.timestamp.description)
        writer.raw(",\"metadata\":"); writer.plainString(order.metadata.text)
        writer.raw(",\"builder\":"); writer.plainString(order.builder.text)
        writer.raw(",\"signature\":"); writer.hexString(signed.signature)
        writer.raw("},\"owner\":"); writer.string(owner)
        writer.raw(",\"orderType\":"); writer.plainString(orderType.rawValue)
        writer.raw(",\"deferExec\":"); writer.raw(deferExec ? "true" : "false")
        writer.raw(",\"postOnly\":"); writer.raw(postOnly ? "true" : "false")
        writer.raw("}")
    }
}
