import Foundation
import Logging
import Synchronization
import Testing
import PolypipeCore
import VenueClient
import VenueStreams

/// The market and user WebSockets of clob-sim, through polypipe's stream client (VenueStreams).
@Suite(.serialized) struct StreamTests {
    /// Collects a stream's events in the background so a test can wait for one with a real
    /// deadline (a missing event fails the test instead of hanging it).
    final class EventLog: Sendable {
        private final class Box: Sendable {
            let events = Mutex<[ClobStream.Event]>([])
        }
        private let box = Box()
        private let cursor = Mutex(0)
        private let task: Task<Void, Never>

        init(_ stream: AsyncStream<ClobStream.Event>) {
            let box = self.box
            task = Task { for await event in stream { box.events.withLock { $0.append(event) } } }
        }

        deinit { task.cancel() }

        /// The first event after the previous match that satisfies `match`, within `seconds` (a
        /// generous default: the full test run starts many processes on a small machine).
        func next(within seconds: Double = 40, _ match: (ClobStream.Event) -> Bool) async -> ClobStream.Event? {
            let deadline = ContinuousClock.now + .milliseconds(Int(seconds * 1000))
            while ContinuousClock.now < deadline {
                let events = box.events.withLock { $0 }
                let start = cursor.withLock { $0 }
                if start < events.count, let index = events[start...].firstIndex(where: match) {
                    cursor.withLock { $0 = index + 1 }
                    return events[index]
                }
                try? await Task.sleep(for: .milliseconds(20))
            }
            return nil
        }
    }

    static func isMessage(_ type: String, _ extra: @escaping (JSONValue) -> Bool = { _ in true }) -> (ClobStream.Event) -> Bool {
        { event in
            if case .message(let value) = event { return value["event_type"]?.scalarText == type && extra(value) }
            return false
        }
    }

    @Test func marketChannelSendsTheBookThenPriceChanges() async throws {
        let sim = try SwiftClientScenarioTests.RunningSim()
        let bob = try SwiftClientScenarioTests.client(sim, key: SwiftClientScenarioTests.bob)
        let token = try SwiftClientScenarioTests().firstToken(bob)
        let stream = ClobStream(url: sim.url.replacingOccurrences(of: "http://", with: "ws://") + "/ws/market",
                                channel: .market(assets: [token]), logger: Logger(label: "test"))
        let events = EventLog(stream.events())
        #expect(await events.next { $0 == .connected(isReconnect: false) } != nil)
        #expect(await events.next(Self.isMessage("book") { $0["asset_id"]?.scalarText == token.description }) != nil)
        _ = bob.postOrder(body: try SwiftClientScenarioTests.order(SwiftClientScenarioTests.bob, bob, .buy, token, price: "0.33", size: "10"))
        let change = await events.next(Self.isMessage("price_change"))
        guard case .message(let message)? = change, case .array(let changes)? = message["price_changes"] else {
            Issue.record("no price_change"); return
        }
        #expect(changes.contains { $0["asset_id"]?.scalarText == token.description && $0["price"] == .string("0.33")
            && $0["size"] == .string("10") && $0["side"] == .string("BUY") })
    }

    @Test func userChannelReportsOrdersAndTradesAndSignalsReconnects() async throws {
        let sim = try SwiftClientScenarioTests.RunningSim()
        let alice = try SwiftClientScenarioTests.client(sim, key: SwiftClientScenarioTests.alice)
        let bob = try SwiftClientScenarioTests.client(sim, key: SwiftClientScenarioTests.bob)
        let up = try SwiftClientScenarioTests().firstToken(bob)
        let (_, _, down) = try bob.marketByToken(up)
        var configuration = ClobStream.Configuration()
        configuration.initialBackoff = .milliseconds(100)
        let stream = ClobStream(url: sim.url.replacingOccurrences(of: "http://", with: "ws://") + "/ws/user",
                                channel: .user(bob.l2!.credentials, markets: []), configuration: configuration, logger: Logger(label: "test"))
        let events = EventLog(stream.events())
        #expect(await events.next { $0 == .connected(isReconnect: false) } != nil)
        guard case .accepted(let resting) = bob.postOrder(body: try SwiftClientScenarioTests.order(SwiftClientScenarioTests.bob, bob, .buy, down, price: "0.45", size: "20")) else {
            Issue.record("order not accepted"); return
        }
        #expect(await events.next(Self.isMessage("order") { $0["type"] == .string("PLACEMENT") && $0["id"]?.scalarText == resting.orderID.description }) != nil)
        _ = alice.postOrder(body: try SwiftClientScenarioTests.order(SwiftClientScenarioTests.alice, alice, .buy, up, price: "0.60", size: "10"))
        #expect(await events.next(Self.isMessage("order") { $0["type"] == .string("UPDATE") && $0["size_matched"] == .string("10") }) != nil)
        #expect(await events.next(Self.isMessage("trade") { $0["status"] == .string("MATCHED") && $0["trader_side"] == .string("MAKER") }) != nil)

        // The venue drops every socket: the client says so, reconnects, and asks for a re-seed.
        _ = try bob.transport.send(HTTPRequest(method: "POST", target: "/admin/drop-websockets", body: Array("{}".utf8)))
        #expect(await events.next { if case .disconnected = $0 { return true }; return false } != nil)
        #expect(await events.next { $0 == .connected(isReconnect: true) } != nil)
        // Trades keep arriving on the new connection. The venue does not replay what a dropped
        // socket missed, and under load the reconnect can outlast the first trade's settlement
        // (CONFIRMED after ~5.5 s): a second trade, made after the reconnect, always reports.
        _ = alice.postOrder(body: try SwiftClientScenarioTests.order(SwiftClientScenarioTests.alice, alice, .buy, up, price: "0.60", size: "10"))
        #expect(await events.next(within: 20, Self.isMessage("trade") {
            [.string("MATCHED"), .string("MINED"), .string("CONFIRMED")].contains($0["status"] ?? .null)
        }) != nil)
    }

    @Test func theUserChannelRefusesBadCredentials() async throws {
        let sim = try SwiftClientScenarioTests.RunningSim()
        let bob = try SwiftClientScenarioTests.client(sim, key: SwiftClientScenarioTests.bob)
        let wrong = ApiCredentials(apiKey: bob.l2!.credentials.apiKey, secret: "wrong", passphrase: bob.l2!.credentials.passphrase)
        let stream = ClobStream(url: sim.url.replacingOccurrences(of: "http://", with: "ws://") + "/ws/user",
                                channel: .user(wrong, markets: []), logger: Logger(label: "test"))
        let events = EventLog(stream.events())
        #expect(await events.next { if case .message(let value) = $0 { return value["error"] == .string("Unauthorized") }; return false } != nil)
        #expect(await events.next { if case .disconnected = $0 { return true }; return false } != nil)
    }

    @Test func thePriceFeedStreamsTheReferenceWalkInRTDSShape() async throws {
        let sim = try SwiftClientScenarioTests.RunningSim()
        let stream = ClobStream(url: sim.url.replacingOccurrences(of: "http://", with: "ws://") + "/rtds",
                                channel: .prices(symbols: ["btcusdt"]), logger: Logger(label: "test"))
        let events = EventLog(stream.events())
        let update = await events.next(within: 5) {
            if case .message(let value) = $0 { return value["topic"] == .string("crypto_prices") }
            return false
        }
        guard case .message(let message)? = update else { Issue.record("no price update"); return }
        #expect(message["payload"]?["symbol"] == .string("btcusdt"))
        let value = try #require(message["payload"]?["value"]?.scalarText)
        #expect(try Collateral(value).micros > 0, "an exact decimal price: \(value)")
    }
}
