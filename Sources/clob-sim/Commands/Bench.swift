import ArgumentParser
import Foundation
import Hummingbird
import Logging
import PolypipeCore
import VenueClient

/// `clob-sim bench`: the venue's throughput and the client's request latency on loopback, both
/// measured from our own venue client (libcurl) against an in-process clob-sim.
struct Bench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Measure sim throughput (orders/s from the Swift venue client) and request latency p50/p99.",
        discussion: """
        Starts a clob-sim on a free loopback port in this process, then from one client thread: \
        GET /ok (the HTTP floor), GET /book, and signed POST /order pairs that rest and then \
        cross (every second order trades). Figures are per request, on this machine; build with \
        -c release for meaningful numbers.
        """
    )

    @Option(help: "Orders to post (half rest, half cross and trade).")
    var orders: Int = 2_000

    func validate() throws {
        guard orders >= 20 else { throw ValidationError("--orders must be at least 20.") }
    }

    func run() async throws {
        LoggingSystem.bootstrap { _ in SwiftLogNoOpLogHandler() }
        var configuration = Venue.Configuration()
        configuration.startingBalance = 1_000_000_000_000  // enough for any run
        // No per-signer buckets: the bench measures the sim's own throughput, which the
        // Standard tier (40 orders a second per signer) would cap instead.
        configuration.rateLimitTier = .unlimited
        let (stream, continuation) = AsyncStream.makeStream(of: Int.self)
        let app = Serve.application(configuration: configuration, timeScale: 1, port: 0) { continuation.yield($0) }
        let server = Task { try await app.runService(gracefulShutdownSignals: []) }
        var iterator = stream.makeAsyncIterator()
        guard let port = await iterator.next() else { throw ValidationError("clob-sim did not start") }
        let count = orders
        let report = try await withCheckedThrowingContinuation { (done: CheckedContinuation<String, Error>) in
            // Blocking libcurl calls run on their own thread, not on the cooperative pool.
            Thread {
                done.resume(with: Result { try Self.measure(url: "http://127.0.0.1:\(port)", orders: count) })
            }.start()
        }
        print(report)
        server.cancel()
    }

    static func measure(url: String, orders: Int) throws -> String {
        let alice = try PrivateKey(hex: "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80")
        let bob = try PrivateKey(hex: "0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d")
        let transport = try CurlTransport(baseURL: url)
        let anonymous = ClobClient(transport: transport, chain: .polygon)
        func login(_ key: PrivateKey) throws -> ClobClient {
            let creds = try anonymous.createApiKey(signingWith: key)
            return ClobClient(transport: transport, chain: .polygon, l2: try L2Signer(credentials: creds, address: key.address))
        }
        let aliceClient = try login(alice)
        let bobClient = try login(bob)
        let market = MarketCatalog.staticSet().markets[0]
        let up = market.tokens[0]

        let ok = try time(orders) { _ = try transport.send(VenueClient.HTTPRequest(method: "GET", target: "/ok")) }
        let book = try time(orders) { _ = try aliceClient.book(up) }

        // Pre-sign every order so the timing covers the request, not the signing.
        func bodies(_ key: PrivateKey, _ client: ClobClient, _ side: Side, _ token: TokenID, price: String) throws -> [[UInt8]] {
            let builder = OrderBuilder(signer: OrderSigner(key: key, chain: .polygon), signatureType: .eoa, funder: nil)
            return try (0..<orders / 2).map { index in
                let built = try builder.build(.limit(price: try Price(price), size: try Shares("5")), side: side, tokenID: token, tick: market.tick, exchange: market.exchange,
                                              salt: UInt256(UInt64(index + 1)), timestamp: UInt256(UInt64(1_780_000_000_000 + index)))
                return OrderPayload.bodyBytes(built.signed, owner: client.l2!.credentials.apiKey, orderType: .gtc, deferExec: false, postOnly: false)
            }
        }
        // Alice bids 0.40 for Up (rests); Bob bids 0.60 for Down, which crosses it (a mint).
        let bids = try bodies(alice, aliceClient, .buy, up, price: "0.40")
        let asks = try bodies(bob, bobClient, .buy, market.tokens[1], price: "0.60")
        var rejected = 0
        var samples: [Double] = []
        let start = DispatchTime.now().uptimeNanoseconds
        for index in 0..<(orders / 2) {
            for (client, body) in [(aliceClient, bids[index]), (bobClient, asks[index])] {
                let begin = DispatchTime.now().uptimeNanoseconds
                if case .accepted = client.postOrder(body: body) {} else { rejected += 1 }
                samples.append(Double(DispatchTime.now().uptimeNanoseconds - begin) / 1000)
            }
        }
        let elapsed = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        let post = Stats(samples)
        let throughput = Double(samples.count) / elapsed
        return """
        clob-sim bench — \(orders) orders from one client thread over loopback HTTP/1.1 (keep-alive)
          GET /ok           p50 \(format(ok.p50)) µs   p99 \(format(ok.p99)) µs
          GET /book         p50 \(format(book.p50)) µs   p99 \(format(book.p99)) µs
          POST /order       p50 \(format(post.p50)) µs   p99 \(format(post.p99)) µs   (half of them trade)
          throughput        \(format(throughput, digits: 0)) orders/s   (\(rejected) not accepted)
          ratio POST /order p50 / GET /ok p50: \(format(post.p50 / ok.p50, digits: 2))
        """
    }

    struct Stats {
        let p50: Double
        let p99: Double
        init(_ samples: [Double]) {
            let sorted = samples.sorted()
            p50 = sorted.isEmpty ? 0 : sorted[sorted.count / 2]
            p99 = sorted.isEmpty ? 0 : sorted[min(sorted.count - 1, sorted.count * 99 / 100)]
        }
    }

    static func time(_ count: Int, _ body: () throws -> Void) throws -> Stats {
        var samples: [Double] = []
        for _ in 0..<count {
            let begin = DispatchTime.now().uptimeNanoseconds
            try body()
            samples.append(Double(DispatchTime.now().uptimeNanoseconds - begin) / 1000)
        }
        return Stats(samples)
    }

    static func format(_ value: Double, digits: Int = 1) -> String { String(format: "%.\(digits)f", value) }
}
