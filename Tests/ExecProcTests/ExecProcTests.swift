import Foundation
import Testing
import Bus
import JournalStore
import PolypipeCore
import VenueClient

/// exec-proc as a process, against clob-sim, over the real bus.
extension ProcessSuites {
@Suite(.serialized) struct ExecProcTests {
    @Test func anActionBecomesAnAcceptedOrderExactlyOnce() throws {
        let stack = try ExecStack()
        let window = try stack.currentWindow()
        let ask = try stack.bestAsk(window.token)
        let action = ExecStack.action(id: "e2e-1", market: window.market, token: window.token, price: ask)
        try stack.send(action)
        let event = try stack.event(for: "e2e-1")
        #expect(event.outcome == .accepted, "\(event.reason)")
        #expect(event.orderID.hasPrefix("0x") && event.orderID.count == 66)
        #expect(event.sentAtNs >= event.receivedAtNs && event.receivedAtNs > 0)
        // The venue knows the order by the id exec-proc computed before sending.
        #expect(try stack.client().order(id: OrderID(event.orderID)) != nil)

        // The same action again: nothing new is signed.
        try stack.send(action)
        let again = try stack.event(for: "e2e-1", after: 1)
        #expect(again.outcome == .duplicate)
        #expect(again.orderID == event.orderID)
    }

    @Test func invalidAndRiskyActionsAreRefusedWithTheirReason() throws {
        let stack = try ExecStack()
        let window = try stack.currentWindow()
        let ask = try stack.bestAsk(window.token)
        let cases: [(String, Polypipe_Bus_V1_Action, String)] = [
            ("expired", ExecStack.action(id: "r-expired", market: window.market, token: window.token, price: ask, ttlMs: 1_000,
                                         createdAt: BusClock.nowMillis() - 5_000), "expired"),
            ("wrong market", ExecStack.action(id: "r-market", market: "0x" + String(repeating: "ab", count: 32), token: window.token, price: ask),
             "belongs to market"),
            ("off tick", ExecStack.action(id: "r-tick", market: window.market, token: window.token, price: ask + 5_000), "tick"),
            ("notional", ExecStack.action(id: "r-notional", market: window.market, token: window.token, size: 500_000_000, price: ask),
             "notional"),
            ("unheld sell", ExecStack.action(id: "r-sell", market: window.market, token: window.other, side: .sell, price: 500_000),
             "without holding"),
        ]
        for (name, action, expected) in cases {
            try stack.send(action)
            let event = try stack.event(for: action.id)
            #expect(event.outcome == .refused, "\(name)")
            #expect(event.reason.contains(expected), "\(name): \(event.reason)")
            #expect(event.orderID.isEmpty, "\(name): nothing may be signed")
        }
    }

    @Test func malformedBusMessagesAreCountedAndNothingStops() throws {
        let stack = try ExecStack()
        let window = try stack.currentWindow()
        try stack.sendRaw([[1, 2, 3]])                                                     // one frame
        try stack.sendRaw([Array("action".utf8), [9, 9], [1]])                             // bad header version
        try stack.sendRaw(Envelope(topic: "action", source: "x", epoch: 1, sequence: 1, sentAtNanos: 1,
                                   payload: [0xFF, 0xFF, 0xFF]).frames())                 // not protobuf
        try stack.sendRaw(Envelope(topic: "weather", source: "x", epoch: 1, sequence: 2, sentAtNanos: 1, payload: []).frames())
        let ask = try stack.bestAsk(window.token)
        try stack.send(ExecStack.action(id: "after-garbage", market: window.market, token: window.token, price: ask))
        #expect(try stack.event(for: "after-garbage").outcome == .accepted)
        let status = try stack.control(.status).status
        #expect(status.malformedMessages == 4)
        #expect(stack.exec?.isRunning == true)
    }

    @Test func haltRefusesNewOrdersWhileCancelsStillWorkAndSurvivesARestart() throws {
        let stack = try ExecStack()
        let window = try stack.currentWindow()
        let ask = try stack.bestAsk(window.token)
        // A resting order well below the book (inside the band, never filled by the agents).
        let restingPrice = ask - 100_000
        try stack.send(ExecStack.action(id: "h-rest", market: window.market, token: window.token, price: restingPrice))
        let resting = try stack.event(for: "h-rest")
        #expect(resting.outcome == .accepted, "\(resting.reason)")

        // The kill switch: the halt itself cancels what rests (polypipe halt sends this request).
        let halt = try stack.control(.halt, reason: "test halt")
        #expect(halt.status.state == .halted && halt.status.haltCancelsOrders)
        #expect(halt.status.ordersCanceled == 1)
        #expect(try stack.client().openOrders().isEmpty, "the sim holds none of our orders after the halt")
        try stack.send(ExecStack.action(id: "h-new", market: window.market, token: window.token, price: ask))
        let refused = try stack.event(for: "h-new")
        #expect(refused.outcome == .refused)
        #expect(refused.reason.contains("halted"))

        // Cancels still work while halted (nothing left to cancel).
        let cancel = try stack.control(.cancelAll, reason: "test cancel while halted")
        #expect(cancel.ok)
        #expect(try stack.client().openOrders().isEmpty)

        // HALTED is persisted: a restarted exec-proc comes back halted.
        stack.killExec()
        try stack.startExec()
        #expect(try stack.control(.status).status.state == .halted)
        #expect(try stack.control(.resume).status.state == .running)
    }

    /// `--no-halt-cancels-orders`: a halt refuses new orders and leaves the resting ones.
    @Test func withoutTheKillSwitchAHaltLeavesOrdersResting() throws {
        let stack = try ExecStack(execArguments: ["--no-halt-cancels-orders"])
        let window = try stack.currentWindow()
        let ask = try stack.bestAsk(window.token)
        try stack.send(ExecStack.action(id: "k-rest", market: window.market, token: window.token, price: ask - 100_000))
        #expect(try stack.event(for: "k-rest").outcome == .accepted)
        let halt = try stack.control(.halt, reason: "test halt")
        #expect(halt.status.state == .halted && !halt.status.haltCancelsOrders && halt.status.ordersCanceled == 0)
        #expect(try stack.client().openOrders().count == 1)
    }

    @Test func heartbeatFailureFailsClosedAndRecovers() throws {
        let stack = try ExecStack()
        let window = try stack.currentWindow()
        let ask = try stack.bestAsk(window.token)
        try stack.send(ExecStack.action(id: "hb-1", market: window.market, token: window.token, price: ask))
        #expect(try stack.event(for: "hb-1").outcome == .accepted)

        try stack.post("/admin/faults", #"{"server_error_ppm": 1000000}"#)
        #expect(try !stack.heartbeatOk(becoming: false))
        try stack.send(ExecStack.action(id: "hb-2", market: window.market, token: window.token, price: ask))
        let refused = try stack.event(for: "hb-2")
        #expect(refused.outcome == .refused)
        #expect(refused.reason.contains("heartbeat"))

        try stack.post("/admin/reset-faults", "{}")
        #expect(try stack.heartbeatOk(becoming: true))
    }

    /// ★SUB-03: kill -9 while a submit is in flight (the venue placed the order and holds its
    /// answer back); the restarted exec-proc finds the order by its id and never signs another.
    @Test func exactlyOnceAcrossKillNineMidSubmit() throws {
        let stack = try ExecStack(execArguments: ["--request-timeout-ms", "20000", "--no-cancel-on-stop"])
        let window = try stack.currentWindow()
        let ask = try stack.bestAsk(window.token)
        let price = ask - 100_000  // rests: the order stays visible as open
        try stack.post("/admin/faults", #"{"timeout_but_placed": 1, "withheld_ms": 8000}"#)
        let action = ExecStack.action(id: "k9-1", market: window.market, token: window.token, price: price, ttlMs: 60_000)
        try stack.send(action)
        // Wait until the venue has the order while exec-proc still waits for the answer.
        let client = try stack.client()
        var open: [OpenOrder] = []
        for _ in 0..<50 where open.isEmpty {
            usleep(100_000)
            open = try client.openOrders()
        }
        #expect(open.count == 1)
        stack.killExec()
        try stack.startExec()

        // Re-sent after the restart: refused as a duplicate of the journaled order.
        try stack.send(action)
        let event = try stack.event(for: "k9-1")
        #expect(event.outcome == .duplicate, "\(event.reason)")
        #expect(OrderID(event.orderID) == open.first?.id)
        #expect(try client.openOrders().count == 1)
    }

    /// ★HB-03: exec-proc frozen (SIGSTOP) past the venue's 10 s dead-man window: the venue
    /// cancels its resting order. Woken up, exec-proc reconciles with the venue before it sends
    /// anything: the journal records the cancel, and its "reconciled" line precedes the next
    /// order's signature.
    @Test func aFrozenExecProcReconcilesWithTheVenueBeforeItsNextOrder() throws {
        let stack = try ExecStack()
        let window = try stack.currentWindow()
        let ask = try stack.bestAsk(window.token)
        try stack.send(ExecStack.action(id: "fz-1", market: window.market, token: window.token, price: ask - 100_000, ttlMs: 60_000))
        let first = try stack.event(for: "fz-1")
        #expect(first.outcome == .accepted)
        let client = try stack.client()
        #expect(try client.openOrders().count == 1)

        let exec = try #require(stack.exec)
        kill(exec.processIdentifier, SIGSTOP)
        var open = 1
        for _ in 0..<200 where open > 0 {  // the dead-man fires 10 s after the last heartbeat
            usleep(100_000)
            open = try client.openOrders().count
        }
        kill(exec.processIdentifier, SIGCONT)
        #expect(open == 0, "the venue's dead-man switch did not cancel the resting order")
        #expect(try stack.heartbeatOk(becoming: true, within: 10))
        try stack.send(ExecStack.action(id: "fz-2", market: window.market, token: window.token, price: ask - 100_000, ttlMs: 60_000))
        #expect(try stack.event(for: "fz-2").outcome == .accepted)

        let journal = try Journal(path: stack.runtime + "/exec/journal.sqlite")
        #expect(try journal.entry(actionID: "fz-1")?.state == .canceled, "the dead-man's cancel is in the journal")
        #expect(try journal.entry(actionID: "fz-2")?.state == .accepted)
        let audit = try journal.auditTrail()
        let reconciled = try #require(audit.firstIndex { $0.decision == "reconciled" }, "no reconciliation after the freeze")
        let signed = try #require(audit.firstIndex { $0.actionID == "fz-2" && $0.decision == "signed" })
        #expect(reconciled < signed, "fz-2 was signed before exec-proc had read the venue")
        #expect(audit.contains { $0.decision == "suspect" && $0.detail.contains("lapsed") })
    }

    /// ★BUS-06: the strategy keeps pushing while exec-proc is down. The actions wait in the
    /// bus; after the restart every one past its TTL is refused as expired, and none is signed.
    @Test func actionsQueuedWhileExecProcWasDownAreRefusedOnceStale() throws {
        let stack = try ExecStack()
        let window = try stack.currentWindow()
        let ask = try stack.bestAsk(window.token)
        stack.killExec()
        let ids = (0..<5).map { "stale-\($0)" }
        for id in ids {
            try stack.send(ExecStack.action(id: id, market: window.market, token: window.token, price: ask, ttlMs: 1_000))
        }
        usleep(1_500_000)  // all of them expire while exec-proc is down
        try stack.startExec()
        for id in ids {
            let event = try stack.event(for: id)
            #expect(event.outcome == .refused && event.reason.contains("expired"), "\(id): \(event.reason)")
        }
        let journal = try Journal(path: stack.runtime + "/exec/journal.sqlite")
        #expect(try journal.entries(in: Journal.State.allCases).isEmpty, "nothing was signed")
        #expect(try stack.client().openOrders().isEmpty)
        // A fresh action after them goes through: the refusals were about age, not the queue.
        try stack.send(ExecStack.action(id: "fresh", market: window.market, token: window.token, price: ask - 100_000))
        #expect(try stack.event(for: "fresh").outcome == .accepted)
    }

    /// An answer that does not come in time is "unknown", then resolved by the order id.
    @Test func aTimedOutSubmitIsUnknownThenResolvedByOrderID() throws {
        let stack = try ExecStack(execArguments: ["--request-timeout-ms", "500"])
        let window = try stack.currentWindow()
        let ask = try stack.bestAsk(window.token)
        try stack.post("/admin/faults", #"{"timeout_but_placed": 1, "withheld_ms": 3000}"#)
        try stack.send(ExecStack.action(id: "u-1", market: window.market, token: window.token, price: ask - 100_000))
        let first = try stack.event(for: "u-1")
        #expect(first.outcome == .unknown, "\(first.reason)")
        let resolved = try stack.event(for: "u-1", after: 1)
        #expect(resolved.outcome == .accepted, "\(resolved.reason)")
        #expect(resolved.orderID == first.orderID)
        #expect(try stack.client().openOrders().count == 1)
    }

    /// ★KEY-01/KEY-03 for exec-proc: after start the key is in no process environment, no log
    /// line and no bus message. Assertions are booleans: a failure never prints the key.
    /// At trace level and through error paths (a venue rejection, failing heartbeats), the API
    /// secret and passphrase exec-proc derived are in no log line either.
    @Test func theKeyStaysInExecProcMemoryOnly() throws {
        let stack = try ExecStack(execArguments: ["--log-level", "trace"])
        let window = try stack.currentWindow()
        let ask = try stack.bestAsk(window.token)
        try stack.send(ExecStack.action(id: "key-1", market: window.market, token: window.token, price: ask))
        _ = try stack.event(for: "key-1")
        try stack.send(ExecStack.action(id: "key-2", market: window.market, token: window.token, size: 1_000, price: ask))
        #expect(try stack.event(for: "key-2").outcome == .rejected, "the venue refuses a size under its minimum")
        try stack.post("/admin/faults", #"{"server_error_ppm": 1000000}"#)
        #expect(try !stack.heartbeatOk(becoming: false))
        try stack.post("/admin/reset-faults", "{}")
        let credentials = try ClobClient(transport: try CurlTransport(baseURL: stack.simURL), chain: .polygon).deriveApiKey(signingWith: ExecStack.key)
        let traceLog = try String(contentsOfFile: stack.execLog, encoding: .utf8)
        let logHasSecret = traceLog.contains(credentials.secret)
        let logHasPassphrase = traceLog.contains(credentials.passphrase)
        #expect(!logHasSecret)
        #expect(!logHasPassphrase)
        #expect(traceLog.contains("heartbeat failed"), "the error path ran")
        let pid = try #require(stack.exec?.processIdentifier)
        let keyText = String(ExecStack.keyHex.dropFirst(2))
        let environ = try Data(contentsOf: URL(fileURLWithPath: "/proc/\(pid)/environ"))
        let environText = String(decoding: environ, as: UTF8.self)
        let environHasName = environText.contains("POLYMARKET_KEY")
        let environHasKey = environText.lowercased().contains(keyText)
        #expect(!environHasName)
        #expect(!environHasKey)
        let log = try String(contentsOfFile: stack.execLog, encoding: .utf8)
        let logHasKey = log.lowercased().contains(keyText)
        #expect(!logHasKey)
        #expect(log.contains("exec-proc ready"))
        let published = String(decoding: stack.publishedBytes, as: UTF8.self).lowercased()
        let publishedHasKey = published.contains(keyText)
        #expect(!publishedHasKey)
    }

    @Test func aSecondExecProcCannotTakeOverTheSockets() throws {
        let stack = try ExecStack()
        let first = stack.exec
        #expect(throws: (any Error).self) { try stack.startExec() }
        stack.exec?.waitUntilExit()
        #expect(stack.exec?.terminationStatus != 0)
        stack.exec = first
        #expect(try stack.control(.status).ok)
        let log = try String(contentsOfFile: stack.execLog, encoding: .utf8)
        #expect(log.contains("already bound"))
    }

    /// Clone pattern: a subscriber that joins late (or sees a gap) asks exec-proc for a snapshot
    /// and gets the state and recent order events it missed, stamped with the publisher's
    /// epoch and sequence so it knows which later updates to apply.
    @Test func aLateSubscriberRecoversFromASnapshot() throws {
        let stack = try ExecStack()
        let window = try stack.currentWindow()
        let ask = try stack.bestAsk(window.token)
        try stack.send(ExecStack.action(id: "snap-1", market: window.market, token: window.token, price: ask))
        let event = try stack.event(for: "snap-1")

        let late = try ZmqSocket(stack.context, .subscribe)
        try late.connect(stack.layout.events)
        try late.subscribe("")
        let snapshot = try RequestClient(context: stack.context, endpoint: stack.layout.snapshot)
            .call(Polypipe_Bus_V1_SnapshotRequest(), expecting: Polypipe_Bus_V1_Snapshot.self)
        #expect(snapshot.source == "exec-proc")
        #expect(snapshot.sequence >= 1)
        #expect(snapshot.orders.contains { $0.actionID == "snap-1" && $0.orderID == event.orderID })
        #expect(snapshot.status.ordersAccepted >= 1)

        // Updates after the snapshot continue its sequence: the tracker accepts them in order.
        var tracker = SequenceTracker()
        tracker.resynchronized(source: snapshot.source, epoch: snapshot.epoch, sequence: snapshot.sequence)
        var verdict: SequenceTracker.Verdict?
        for _ in 0..<30 where verdict == nil {
            if let frames = try late.receive(timeoutMilliseconds: 100) {
                let envelope = try Envelope(frames: frames)
                let judged = tracker.observe(envelope)
                if judged != .stale { verdict = judged }
            }
        }
        #expect(verdict == .inOrder)
    }

    /// ★GS-01: SIGTERM stops intake, cancels this account's resting orders, exits 0.
    @Test func sigtermCancelsRestingOrdersAndExitsZero() throws {
        let stack = try ExecStack()
        let window = try stack.currentWindow()
        let ask = try stack.bestAsk(window.token)
        for index in 0..<3 {
            try stack.send(ExecStack.action(id: "gs-\(index)", market: window.market, token: window.token,
                                            price: ask - 100_000 - UInt64(index) * 10_000))
            #expect(try stack.event(for: "gs-\(index)").outcome == .accepted)
        }
        let client = try stack.client()
        let resting = try client.openOrders()
        #expect(resting.count == 3)
        // The snapshot names the journal's orders that may be live: the reconciler compares them with the venue.
        let snapshot = try RequestClient(context: stack.context, endpoint: stack.layout.snapshot)
            .call(Polypipe_Bus_V1_SnapshotRequest(), expecting: Polypipe_Bus_V1_Snapshot.self)
        #expect(Set(snapshot.openOrders.map(\.orderID)) == Set(resting.map(\.id.description)))
        #expect(snapshot.openOrders.allSatisfy { $0.market == window.market && $0.createdAtMs > 0 })
        let exec = try #require(stack.exec)
        kill(exec.processIdentifier, SIGTERM)
        exec.waitUntilExit()
        #expect(exec.terminationReason == .exit)
        #expect(exec.terminationStatus == 0)
        #expect(try client.openOrders().isEmpty)
    }
}
}
