import Foundation
import PolypipeTesting
import Bus
import PolypipeCore
import VenueClient

/// clob-sim and exec-proc as real processes from the build directory, wired over a temporary
/// runtime directory, plus a strategy's end of the bus (PUSH actions, SUB events).
final class ExecStack {
    /// A well-known test key (Hardhat account 0): never a real wallet.
    static let keyHex = "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80"
    static let key = try! PrivateKey(hex: keyHex)

    struct StackError: Error, CustomStringConvertible {
        let description: String
        init(_ text: String) { description = text }
    }

    let runtime: String
    let layout: BusLayout
    let sim: ProcessHarness
    let simURL: String
    var exec: Process?
    var execLog: String { runtime + "/exec-stderr.log" }
    let context = try! ZmqContext()
    let push: ZmqSocket
    let events: ZmqSocket
    private(set) var received: [Envelope] = []
    var execArguments: [String]

    init(simArguments: [String] = [], execArguments: [String] = []) throws {
        runtime = NSTemporaryDirectory() + "polypipe-exec-test-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: runtime, withIntermediateDirectories: false, attributes: [.posixPermissions: 0o700])
        layout = BusLayout(runtimeDirectory: runtime)
        sim = try ProcessHarness.start("clob-sim", ["serve", "--port", "0", "--seed", "11"] + simArguments, readyPrefix: "listening on ")
        simURL = sim.readyLine
        self.execArguments = execArguments
        push = try ZmqSocket(context, .push)
        events = try ZmqSocket(context, .subscribe)
        try startExec()
        try push.connect(layout.actions)
        try events.connect(layout.events)
        try events.subscribe("order")
        usleep(200_000)  // let the SUB connection settle (PUB drops messages before it)
    }

    deinit {
        if let exec, exec.isRunning { kill(exec.processIdentifier, SIGKILL); exec.waitUntilExit() }
        sim.kill()
        try? FileManager.default.removeItem(atPath: runtime)
    }

    /// Starts (or restarts) exec-proc with the key in its environment only.
    func startExec(extra: [String] = []) throws {
        // Not ProcessHarness.start: `exec` is the new process even when it never gets ready, so a
        // test can wait for a refused second instance to exit (aSecondExecProcCannotTakeOverTheSockets).
        let process = Process()
        process.executableURL = try ProcessHarness.binary("exec-proc")
        process.arguments = ["--mode", "paper", "--venue", simURL, "--runtime-dir", runtime, "--heartbeat-interval-ms", "300",
                             "--resync-interval-ms", "1000"] + execArguments + extra
        var environment = ProcessInfo.processInfo.environment
        environment["POLYMARKET_KEY"] = Self.keyHex
        process.environment = environment
        let output = Pipe()
        process.standardOutput = output
        if !FileManager.default.fileExists(atPath: execLog) { FileManager.default.createFile(atPath: execLog, contents: nil) }
        let log = try FileHandle(forWritingTo: URL(fileURLWithPath: execLog))
        log.seekToEndOfFile()
        process.standardError = log
        try process.run()
        exec = process
        _ = try ProcessHarness.readLine(output, prefix: "ready")
        // Peers reconnect to the new sockets on their own (ZeroMQ retries every 100 ms); give
        // them that long so a restart does not drop the next event on a PUB with no subscriber.
        usleep(300_000)
    }

    func killExec() {
        guard let exec else { return }
        kill(exec.processIdentifier, SIGKILL)
        exec.waitUntilExit()
    }

    // MARK: Venue

    func get(_ path: String) throws -> JSONValue {
        let transport = try CurlTransport(baseURL: simURL)
        let response = try transport.send(VenueClient.HTTPRequest(method: "GET", target: path))
        return try JSONParser.parse(response.body)
    }

    func post(_ path: String, _ body: String) throws {
        let transport = try CurlTransport(baseURL: simURL)
        _ = try transport.send(VenueClient.HTTPRequest(method: "POST", target: path, headers: [("Content-Type", "application/json")], body: Array(body.utf8)))
    }

    /// A deterministic market for these tests: the sim's static binary market, with a book
    /// another account (Hardhat key 1) makes by posting BUYs on both outcomes — bid 0.40 on the
    /// traded token, and 0.50 on the other, which shows as an ask of 0.50 (mint). Independent of
    /// the time of day, unlike the rolling BTC windows. `slug`: another static market of the
    /// sim, e.g. "sim-static-crypto-fees" (taker fees).
    func currentWindow(slug: String = "sim-static-updown") throws -> (market: String, token: String, other: String) {
        let events = try get("/events?slug=\(slug)")
        guard case .array(let list) = events, case .array(let markets)? = list.first?["markets"], let market = markets.first,
              let condition = market["conditionId"]?.scalarText, let ids = market["clobTokenIds"]?.scalarText,
              case .array(let tokens) = try JSONParser.parse(Array(ids.utf8)), tokens.count == 2,
              let up = tokens[0].scalarText, let down = tokens[1].scalarText
        else { throw StackError("the sim has no static market") }
        let maker = try PrivateKey(hex: "0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d")
        let transport = try CurlTransport(baseURL: simURL)
        let anonymous = ClobClient(transport: transport, chain: .polygon)
        let credentials: ApiCredentials
        do { credentials = try anonymous.createApiKey(signingWith: maker) } catch { credentials = try anonymous.deriveApiKey(signingWith: maker) }
        let client = ClobClient(transport: transport, chain: .polygon, l2: try L2Signer(credentials: credentials, address: maker.address))
        let builder = OrderBuilder(signer: OrderSigner(key: maker, chain: .polygon), signatureType: .eoa, funder: nil)
        for (token, price) in [(up, "0.40"), (down, "0.50")] {
            let built = try builder.build(.limit(price: try Price(price), size: try Shares("1000")), side: .buy, tokenID: try TokenID(decimal: token), tick: .hundredth,
                                          exchange: .ctfV2, salt: Order.randomSalt(), timestamp: UInt256(UInt64(BusClock.nowMillis())))
            guard case .accepted = client.postOrder(body: OrderPayload.bodyBytes(built.signed, owner: credentials.apiKey, orderType: .gtc,
                                                                                 deferExec: false, postOnly: false))
            else { throw StackError("the maker's quote was not accepted") }
        }
        return (condition, up, down)
    }

    /// Best ask of `token` (price micros), waiting for the agents to quote.
    func bestAsk(_ token: String) throws -> UInt64 {
        for _ in 0..<50 {
            let book = try OrderBookSummary(json: try get("/book?token_id=\(token)"))
            if let ask = book.bestAsk, book.bestBid != nil { return ask.price.micros }
            usleep(100_000)
        }
        throw StackError("no two-sided book for \(token)")
    }

    func client() throws -> ClobClient {
        let transport = try CurlTransport(baseURL: simURL)
        let anonymous = ClobClient(transport: transport, chain: .polygon)
        let credentials = try anonymous.deriveApiKey(signingWith: Self.key)
        return ClobClient(transport: transport, chain: .polygon, l2: try L2Signer(credentials: credentials, address: Self.key.address))
    }

    // MARK: Bus

    static func action(id: String, market: String, token: String, side: Polypipe_Bus_V1_Side = .buy, size: UInt64 = 5_000_000,
                       price: UInt64, ttlMs: Int64 = 10_000, createdAt: Int64 = BusClock.nowMillis()) -> Polypipe_Bus_V1_Action {
        var action = Polypipe_Bus_V1_Action()
        action.id = id
        action.market = market
        action.tokenID = token
        action.side = side
        action.sizeMicros = size
        action.limitPriceMicros = price
        action.expectedPriceMicros = price
        action.createdAtMs = createdAt
        action.ttlMs = ttlMs
        action.timeInForce = .gtc
        action.strategy = "test"
        return action
    }

    private var sequence: UInt64 = 0

    func send(_ action: Polypipe_Bus_V1_Action) throws {
        try send(topic: "action", payload: action.busPayload)
    }

    /// Sends a batch of actions (topic "batch").
    func send(batch: Polypipe_Bus_V1_ActionBatch) throws {
        try send(topic: "batch", payload: batch.busPayload)
    }

    /// Sends a replace (topic "replace").
    func send(replace: Polypipe_Bus_V1_ReplaceRequest) throws {
        try send(topic: "replace", payload: replace.busPayload)
    }

    /// Sends a cancel request (topic "cancel").
    func send(cancel: Polypipe_Bus_V1_CancelRequest) throws {
        try send(topic: "cancel", payload: cancel.busPayload)
    }

    private func send(topic: String, payload: [UInt8]) throws {
        sequence += 1
        let envelope = Envelope(topic: topic, source: "test", epoch: 1, sequence: sequence, sentAtNanos: BusClock.nowNanos(), payload: payload)
        try push.send(envelope.frames())
    }

    func sendRaw(_ frames: [[UInt8]]) throws { try push.send(frames) }

    /// The event number `index` for `actionID` (events for other actions are kept). Like any
    /// subscriber, it does not trust PUB/SUB alone: an event published while the SUB socket was
    /// still reconnecting (after an exec-proc restart) is recovered from a snapshot.
    func event(for actionID: String, after index: Int = 0, timeoutSeconds: Double = 10) throws -> Polypipe_Bus_V1_OrderEvent {
        let deadline = Date().addingTimeInterval(timeoutSeconds)
        var seen = 0
        var nextSnapshot = Date().addingTimeInterval(1)
        while Date() < deadline {
            if Date() >= nextSnapshot {
                nextSnapshot = Date().addingTimeInterval(1)
                let snapshot = try? RequestClient(context: context, endpoint: layout.snapshot)
                    .call(Polypipe_Bus_V1_SnapshotRequest(), expecting: Polypipe_Bus_V1_Snapshot.self, timeoutMilliseconds: 1_000)
                let events = snapshot?.orders.filter { $0.actionID == actionID } ?? []
                if events.count > index { return events[index] }
            }
            for envelope in received {
                let event = try Polypipe_Bus_V1_OrderEvent(busPayload: envelope.payload, topic: envelope.topic)
                if event.actionID == actionID {
                    if seen == index { return event }
                    seen += 1
                }
            }
            seen = 0
            if let frames = try events.receive(timeoutMilliseconds: 100) { received.append(try Envelope(frames: frames)) }
        }
        throw StackError("no event #\(index) for action \(actionID) within \(timeoutSeconds) s")
    }

    /// Polls exec-proc's status until its venue heartbeat reads `wanted` (hang guard: `seconds`);
    /// returns the last reading.
    func heartbeatOk(becoming wanted: Bool, within seconds: Double = 5) throws -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        var healthy = try control(.status).status.venueHeartbeatOk
        while healthy != wanted && Date() < deadline {
            usleep(100_000)
            healthy = try control(.status).status.venueHeartbeatOk
        }
        return healthy
    }

    func control(_ command: Polypipe_Bus_V1_Command, reason: String = "test") throws -> Polypipe_Bus_V1_ControlReply {
        var request = Polypipe_Bus_V1_ControlRequest()
        request.command = command
        request.reason = reason
        return try RequestClient(context: context, endpoint: layout.control).call(request, expecting: Polypipe_Bus_V1_ControlReply.self)
    }

    /// Every byte exec-proc published so far (for leak checks).
    var publishedBytes: [UInt8] { received.flatMap { $0.payload } }
}
