import Foundation
import Synchronization
import Bus
import PolypipeCore

/// The parts of exec-proc's tick-to-wire path that `polypipe bench` times alone, beside the
/// signing path and the journal write: the bus hop (with the wake-up of a thread blocked in
/// `zmq_poll`, as exec-proc's loop is) and decoding an action off the bus.
enum BenchStages {
    /// An action as the pipeline bench sends it: a 5-share GTC buy at `price` (micro-units),
    /// valid a minute.
    static func action(id: String, market: String = "0x" + String(repeating: "5a", count: 32),
                       token: String = "71321045679252212594626385532706912750332728571942532289631379312455583992563",
                       price: UInt64 = 420_000) -> Polypipe_Bus_V1_Action {
        var action = Polypipe_Bus_V1_Action()
        action.id = id
        action.market = market
        action.tokenID = token
        action.side = .buy
        action.sizeMicros = 5_000_000
        action.limitPriceMicros = price
        action.expectedPriceMicros = price
        action.createdAtMs = BusClock.nowMillis()
        action.ttlMs = 60_000
        action.timeInForce = .gtc
        action.strategy = "bench"
        return action
    }

    /// Envelope frames → envelope → action, as exec-proc's loop does for each message.
    static func decode(iterations: Int) -> Bench.Stats {
        let frames = Envelope(topic: "action", source: "bench", epoch: 1, sequence: 1, sentAtNanos: BusClock.nowNanos(),
                              payload: action(id: "decode-bench-0001").busPayload).frames()
        var sink = 0
        let stats = Bench.measure(iterations) {
            guard let envelope = try? Envelope(frames: frames),
                  let action = try? Polypipe_Bus_V1_Action(busPayload: envelope.payload, topic: envelope.topic) else { return }
            sink &+= action.id.utf8.count
        }
        if sink == -1 { print("") }
        return stats
    }

    /// Samples of the receiver's thread, handed back when it is done.
    private final class Samples: Sendable {
        let values = Mutex<[Double]>([])
    }

    /// One PUSH → PULL hop over `ipc://` at `ratePerSecond`, from the sender's stamp to the
    /// receiving thread holding the message; that thread waits in `zmq_poll` between messages,
    /// so each hop includes its wake-up (and the ZeroMQ I/O threads' on both sides).
    static func busHop(messages: Int, ratePerSecond: Int = 1_000) throws -> Bench.Stats {
        let context = try ZmqContext()
        let socketPath = NSTemporaryDirectory() + "polypipe-bench-hop-\(UUID().uuidString.prefix(8)).sock"
        let endpoint = "ipc://" + socketPath
        defer { unlink(socketPath) }
        let samples = Samples()
        let bound = DispatchSemaphore(value: 0), done = DispatchSemaphore(value: 0)
        let receiver = Thread {
            defer { done.signal() }
            guard let pull = try? ZmqSocket(context, .pull), (try? pull.bind(endpoint)) != nil else { bound.signal(); return }
            bound.signal()
            var received: [Double] = []
            let deadline = BusClock.nowMillis() + 60_000
            while received.count < messages && BusClock.nowMillis() < deadline {
                guard (try? ZmqSocket.poll([pull], timeoutMilliseconds: 100)) != nil else { continue }
                while let frames = try? pull.receiveNow() {
                    let now = BusClock.nowNanos()
                    if let envelope = try? Envelope(frames: frames), now >= envelope.sentAtNanos {
                        received.append(Double(now - envelope.sentAtNanos) / 1_000)
                    }
                }
            }
            samples.values.withLock { $0 = received }
        }
        receiver.start()
        bound.wait()
        let push = try ZmqSocket(context, .push)
        try push.connect(endpoint)
        usleep(100_000)
        let publisher = BusPublisher(socket: push, source: "bench")
        let payload = action(id: "hop").busPayload
        let interval = UInt32(1_000_000 / max(1, ratePerSecond))
        for _ in 0..<messages {
            try publisher.publish(topic: "action", payload: payload)
            usleep(interval)
        }
        done.wait()
        let values = samples.values.withLock { $0 }.sorted()
        guard !values.isEmpty else { return Bench.Stats(median: .nan, p99: .nan) }
        return Bench.Stats(median: values[values.count / 2], p99: values[min(values.count - 1, values.count * 99 / 100)],
                           max: values.last ?? 0)
    }
}
