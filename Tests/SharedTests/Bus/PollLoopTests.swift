import Foundation
import Logging
import Synchronization
import Testing
import Bus

/// The event loop of exec-, fill- and recon-proc: each readable socket runs the handler
/// registered under its name (and only that one), periodic handlers run on time, and the loop
/// ends at the stop.
@Suite struct PollLoopTests {
    /// Two PULL sockets bound in a fresh directory, a PUSH connected to each.
    struct Pair {
        let directory: URL
        let context: ZmqContext
        let pullA, pullB, pushA, pushB: ZmqSocket

        init() throws {
            directory = try ZmqSocketTests.runtimeDirectory()
            context = try ZmqContext()
            pullA = try ZmqSocket(context, .pull)
            pullB = try ZmqSocket(context, .pull)
            try pullA.bind("ipc://\(directory.path)/a.sock")
            try pullB.bind("ipc://\(directory.path)/b.sock")
            pushA = try ZmqSocket(context, .push)
            pushB = try ZmqSocket(context, .push)
            try pushA.connect("ipc://\(directory.path)/a.sock")
            try pushB.connect("ipc://\(directory.path)/b.sock")
        }
    }

    @Test func eachSocketRunsTheHandlerNamedForIt() throws {
        let pair = try Pair()
        defer { try? FileManager.default.removeItem(at: pair.directory) }
        // Register b before a, so registration order and bind order differ.
        try pair.pushB.send([Array("to-b".utf8)])
        try pair.pushB.send([Array("to-b-again".utf8)])
        try pair.pushA.send([Array("to-a".utf8)])
        let stop = ManualStop()
        let loop = PollLoop(logger: Logger(label: "test"), tickMillis: 10)
        var received: [String: [String]] = [:]
        func take(_ socket: ZmqSocket, as name: String) {
            while let frames = try? socket.receiveNow() { received[name, default: []].append(String(decoding: frames[0], as: UTF8.self)) }
        }
        loop.on(pair.pullB, name: "b") { _ in take(pair.pullB, as: "b") }
        loop.on(pair.pullA, name: "a") { _ in take(pair.pullA, as: "a") }
        loop.beforeEachPass(name: "stop when done") { _ in
            if received["a"]?.count == 1 && received["b"]?.count == 2 { stop.request() }
        }
        let deadline = Date().addingTimeInterval(5)
        loop.every(milliseconds: 0, name: "deadline") { _ in if Date() > deadline { stop.request() } }
        loop.run(stop: stop.source)
        #expect(received["a"] == ["to-a"])
        #expect(received["b"] == ["to-b", "to-b-again"])
        #expect(loop.handlerNames == ["stop when done", "b", "a", "deadline"])
    }

    @Test func aWakeupRunsItsHandlerAndNoSocketHandler() throws {
        let pair = try Pair()
        defer { try? FileManager.default.removeItem(at: pair.directory) }
        let wakeup = try Wakeup()
        let stop = ManualStop()
        let loop = PollLoop(logger: Logger(label: "test"), tickMillis: 10)
        var calls: [String: Int] = [:]
        loop.on(pair.pullA, name: "a") { _ in calls["a", default: 0] += 1 }
        loop.on(wakeup, name: "wakeup") { _ in
            wakeup.drain()
            calls["wakeup", default: 0] += 1
            stop.request()
        }
        loop.on(pair.pullB, name: "b") { _ in calls["b", default: 0] += 1 }
        let deadline = Date().addingTimeInterval(2)
        loop.every(milliseconds: 0, name: "deadline") { _ in if Date() > deadline { stop.request() } }
        wakeup.signal()
        loop.run(stop: stop.source)
        #expect(calls == ["wakeup": 1])
    }

    @Test func periodicHandlersRunFirstNowOrAfterTheirInterval() throws {
        var now: Int64 = 1_000
        let stop = ManualStop()
        let loop = PollLoop(logger: Logger(label: "test"), tickMillis: 1, clock: { now })
        var runs: [String: [Int64]] = [:]
        loop.every(milliseconds: 100, name: "now", first: .now) { runs["now", default: []].append($0) }
        loop.every(milliseconds: 100, name: "later") { runs["later", default: []].append($0) }
        loop.every(milliseconds: 0, name: "clock") { _ in
            now += 10
            if now >= 1_300 { stop.request() }
        }
        loop.run(stop: stop.source)
        #expect(runs["now"] == [1_000, 1_100, 1_200])
        #expect(runs["later"] == [1_100, 1_200])
    }

    @Test func aSlowPeriodicHandlerIsNotRunAgainToCatchUp() {
        var now: Int64 = 1_000
        let stop = ManualStop()
        let loop = PollLoop(logger: Logger(label: "test"), tickMillis: 1, clock: { now })
        var runs: [Int64] = []
        loop.every(milliseconds: 100, name: "slow", first: .now) {
            runs.append($0)
            now += 250  // takes two and a half intervals
        }
        loop.every(milliseconds: 0, name: "clock") { _ in
            now += 10
            if now >= 1_600 { stop.request() }
        }
        loop.run(stop: stop.source)
        #expect(runs == [1_000, 1_350], "the next run is one interval after the slow one returned")
    }

    @Test func theLoopEndsAtTheStopAndFeedsTheWatchdogEachPass() {
        let stop = ManualStop()
        let loop = PollLoop(logger: Logger(label: "test"), tickMillis: 5)
        var passes = 0
        loop.run(stop: stop.source) { _ in
            passes += 1
            if passes == 3 { stop.request() }
        }
        #expect(passes == 3)
    }
    /// Busy polling: within the window after a message, empty polls run no handler at all (the
    /// loop only polls again), while messages are still handled and timers still run on time.
    @Test func busyPollingRunsHandlersOnlyForWorkAndDueTimers() throws {
        let pair = try Pair()
        defer { try? FileManager.default.removeItem(at: pair.directory) }
        let stop = ManualStop()
        let loop = PollLoop(logger: Logger(label: "test"), tickMillis: 50, busyPollMicros: 2_000_000)
        var passes = 0, ticks = 0
        var received: [String] = []
        let start = Date()
        loop.beforeEachPass(name: "count") { _ in passes += 1 }
        loop.on(pair.pullA, name: "a") { _ in
            while let frames = try? pair.pullA.receiveNow() { received.append(String(decoding: frames[0], as: UTF8.self)) }
        }
        loop.every(milliseconds: 20, name: "tick") { _ in
            ticks += 1
            let elapsed = Date().timeIntervalSince(start)
            if elapsed > 0.2 && received.count == 1 { try? pair.pushA.send([Array("second".utf8)]) }
            if elapsed > 0.4 || elapsed > 5 { stop.request() }
        }
        try pair.pushA.send([Array("first".utf8)])
        loop.run(stop: stop.source)
        #expect(received == ["first", "second"])
        #expect(ticks >= 8, "the timer ran \(ticks) times in 0.4 s while the loop spun")
        // Every pass ran for a message or a due timer; the thousands of empty polls ran none.
        #expect(passes <= ticks + 4, "\(passes) passes for \(ticks) timer runs and 2 messages")
    }
}
