import ArgumentParser
import Foundation
import PolypipeCore
import VenueClient

/// `polypipe sample-order`: the README's main job for now. Signs one sample order with a fresh
/// throwaway key and prints it, then proves the signature by recovering the signer.
struct SampleOrder: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sample-order",
        abstract: "Sign a sample CLOB V2 order with a throwaway key and print it.",
        discussion: """
        Nothing is sent anywhere. The key is generated in memory for this run and discarded; the \
        API credential is made up. The output shows the signed struct, the order ID (the EIP-712 \
        digest), the exact POST /order body and the L2 headers, and checks that the signature \
        recovers to the key's address.
        """
    )

    @Option(help: "Side of the sample order (BUY or SELL).")
    var side: String = "BUY"

    @Option(help: "Limit price as decimal text, on the tick grid.")
    var price: String = "0.57"

    @Option(help: "Size in shares as decimal text.")
    var size: String = "10"

    @Option(help: "Tick size of the market (0.1, 0.01, 0.005, 0.0025, 0.001, 0.0001).")
    var tick: String = "0.01"

    @Flag(help: "Print one JSON object instead of the readable listing.")
    var json = false

    func validate() throws {
        guard Side(text: side) != nil else { throw ValidationError("--side must be BUY or SELL, not \(side).") }
        guard TickSize(text: tick) != nil else { throw ValidationError("--tick must be one of 0.1, 0.01, 0.005, 0.0025, 0.001, 0.0001, not \(tick).") }
    }

    func run() throws {
        let key = try Self.throwawayKey()
        let signer = OrderSigner(key: key, chain: .polygon)
        let builder = OrderBuilder(signer: signer, signatureType: .eoa, funder: nil)
        // A BTC Up/Down style outcome token id (made up; the sample is never posted).
        let tokenID = try TokenID(decimal: "71321045679252212594626385532706912750332728571942532289631379312455583992563")
        let now = UInt64(Date().timeIntervalSince1970)
        let built = try builder.build(.limit(price: try Price(price), size: try Shares(size)), side: Side(text: side) ?? .buy, tokenID: tokenID,
                                      tick: TickSize(text: tick), exchange: .ctfV2,
                                      salt: Order.randomSalt(), timestamp: UInt256(now * 1000))
        let credentials = ApiCredentials(apiKey: UUID().uuidString.lowercased(),
                                         secret: Data((0..<32).map { _ in UInt8.random(in: 0...255) }).base64EncodedString(),
                                         passphrase: Hex.encode((0..<32).map { _ in UInt8.random(in: 0...255) }, prefix: false))
        let body = OrderPayload.body(built.signed, owner: credentials.apiKey, orderType: .gtc, deferExec: false, postOnly: false)
        let headers = try L2Signer(credentials: credentials, address: key.address)
            .headers(timestamp: String(now), method: "POST", path: "/order", body: body)
        let recovered = try Secp256k1.recoverAddress(signature: RecoverableSignature(bytes: built.signed.signature),
                                                     digest: built.signed.orderHash)
        guard recovered == key.address else {
            throw ValidationError("signature check failed: recovered \(recovered), expected \(key.address)")
        }
        let order = built.signed.order
        if json {
            let result: JSONValue = .object([
                ("address", .string(key.address.checksummed)),
                ("order_hash", .string(built.signed.orderID)),
                ("signature", .string(Hex.encode(built.signed.signature))),
                ("post_body", .string(body)),
                ("post_headers", .object(headers.map { ($0.name, JSONValue.string($0.value)) })),
                ("signature_recovers_to_signer", .bool(true)),
            ])
            print(JSONWriter.serialize(result))
            return
        }
        print("""
        throwaway key      \(key)
        exchange           CTFExchangeV2 (domain "Polymarket CTF Exchange" v2, chain 137)
        order              \(order.side.rawValue) \(size) shares @ \(price) (tick \(tick))
          makerAmount      \(order.makerAmount)  (base units, 6 dp)
          takerAmount      \(order.takerAmount)
          salt             \(order.salt)
          timestamp        \(order.timestamp) ms
        order ID           \(built.signed.orderID)
        signature          \(Hex.encode(built.signed.signature))
        verified           signature recovers to \(recovered)
        POST /order body   \(body)
        L2 headers         \(headers.filter { $0.name != "POLY_PASSPHRASE" }.map { "\($0.name)=\($0.value)" }.joined(separator: " "))
        """)
    }

    private static func throwawayKey() throws -> PrivateKey {
        var generator = SystemRandomNumberGenerator()
        while true {
            var bytes = (0..<32).map { _ in UInt8.random(in: 0...255, using: &generator) }
            defer { PrivateKey.zero(&bytes) }
            if let key = try? PrivateKey(bytes: bytes) { return key }
        }
    }
}
