import ArgumentParser
import Foundation
import Synchronization
import Bus
import CProcess
import MarketData
import PolypipeCore
import VenueClient

/// The bench's children, for its signal handler: `defer` does not run when the bench is
/// interrupted, and an orphaned clob-sim would skew every later measurement on this host.
private let benchSimPID = Atomic<Int32>(0)
private let benchExecPID = Atomic<Int32>(0)

/// `polypipe bench-pipeline`: tick-to-wire latency and sustained order rate of the real
/// processes — clob-sim and exec-proc started from this build directory, actions sent over the
/// bus exactly as signal-proc sends them.
struct PipelineBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench-pipeline",
        abstract: "Measure tick-to-wire latency and signed orders/s through exec-proc into clob-sim.",
        discussion: """
        Starts clob-sim and exec-proc (paper mode, a throwaway key, wide bench risk limits) in a \
        temporary runtime directory. Phase 1 sends --actions actions at --rate per second and \
        reports tick-to-wire latency: from the moment the action is stamped and sent on the bus \
        (as signal-proc does) to the moment exec-proc hands the signed, journaled request to the \
        HTTP transport (the sent_at_ns of its order event; both clocks are this host's realtime \
        clock). Phase 2 sends --burst actions as fast as the bus takes them and reports the \
        sustained rate of orders exec-proc signed, journaled, sent and got accepted by clob-sim. \
        Build with -c release for meaningful figures (scripts/bench does).
        """
    )

    @Option(help: "Actions in the latency phase.")
    var actions = 5_000

    @Option(help: "Actions per second in the latency phase.")
    var rate = 1_000

    @Option(help: "Actions in the throughput phase.")
    var burst = 10_000

    @Option(help: "exec-proc's mode: paper (orders go to clob-sim) or dry-run (signed and journaled, never sent: exec-proc's own cost).")
    var mode: String = "paper"

    @Option(help: "exec-proc's --busy-poll-us: microseconds its loop keeps polling without sleeping after each action (0: never).")
    var busyPollUs: UInt32 = 0

    @Option(help: ArgumentHelp("Run this bench (the strategy's side of the bus) and exec-proc on this one CPU.",
                               discussion: "As CPUAffinity= would for signal-proc and exec-proc: every hop of an action stays on one core, so no idle core has to be woken. exec-proc is started through taskset(1)."))
    var cpu: Int32?

    @Option(help: "Directory holding clob-sim and exec-proc (default: next to this binary).")
    var binDir: String?

    func validate() throws {
        guard mode == "paper" || mode == "dry-run" else { throw ValidationError("--mode must be paper or dry-run.") }
    }

    func run() throws {
        let directory = binDir ?? URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent().path
        let runtime = NSTemporaryDirectory() + "polypipe-bench-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: runtime, withIntermediateDirectories: false, attributes: [.posixPermissions: 0o700])
        defer { try? FileManager.default.removeItem(atPath: runtime) }
        let limits = runtime + "/bench-limits.json"
        try #"{"max_order_notional": "1000", "max_market_exposure": "100000000", "max_total_exposure": "100000000", "max_orders_per_minute": 100000000, "price_band": "0.5", "daily_loss_limit": "1000"}"#
            .write(toFile: limits, atomically: true, encoding: .utf8)

        let sim = Process()
        sim.executableURL = URL(fileURLWithPath: directory + "/clob-sim")
        // No per-signer buckets: the bench measures how many orders a second the pipeline can
        // push, which the Standard tier's 40 a second would cap at the venue instead.
        sim.arguments = ["serve", "--port", "0", "--seed", "3", "--starting-balance", "1000000000", "--rate-limit-tier", "unlimited"]
        let simOut = Pipe()
        sim.standardOutput = simOut
        sim.standardError = FileHandle.nullDevice
        try sim.run()
        defer { kill(sim.processIdentifier, SIGKILL); sim.waitUntilExit() }
        benchSimPID.store(sim.processIdentifier, ordering: .relaxed)
        for signal in [SIGINT, SIGTERM, SIGHUP] {
            Foundation.signal(signal) { number in
                for pid in [benchSimPID.load(ordering: .relaxed), benchExecPID.load(ordering: .relaxed)] where pid > 0 { kill(pid, SIGKILL) }
                _exit(128 + number)
            }
        }
        let url = try Self.line(simOut, prefix: "listening on ")

        // A throwaway key, in exec-proc's environment only.
        var keyBytes = [UInt8](repeating: 0, count: 32)
        for index in keyBytes.indices { keyBytes[index] = UInt8.random(in: 0...255) }
        var environment = ProcessInfo.processInfo.environment
        environment["POLYMARKET_KEY"] = Hex.encode(keyBytes)
        PrivateKey.zero(&keyBytes)
        // Pinned before the bus context exists, so its I/O thread inherits the CPU.
        if let cpu {
            let pinned = polypipe_pin_to_cpu(cpu)
            guard pinned == 0 else { throw ValidationError("--cpu \(cpu): sched_setaffinity failed (\(String(cString: strerror(-pinned))))") }
        }
        let exec = Process()
        exec.executableURL = URL(fileURLWithPath: directory + "/exec-proc")
        exec.arguments = ["--mode", mode, "--venue", url, "--runtime-dir", runtime, "--limits", limits, "--no-cancel-on-stop",
                          "--resync-interval-ms", "600000", "--rate-limit-tier", "unlimited", "--busy-poll-us", "\(busyPollUs)"]
        if let cpu {
            exec.arguments = ["-c", "\(cpu)", directory + "/exec-proc"] + (exec.arguments ?? [])
            exec.executableURL = URL(fileURLWithPath: "/usr/bin/taskset")
        }
        exec.environment = environment
        let execOut = Pipe()
        exec.standardOutput = execOut
        exec.standardError = FileHandle.nullDevice
        try exec.run()
        benchExecPID.store(exec.processIdentifier, ordering: .relaxed)
        defer { kill(exec.processIdentifier, SIGKILL); exec.waitUntilExit() }
        _ = try Self.line(execOut, prefix: "ready")

        let layout = BusLayout(runtimeDirectory: runtime)
        let context = try ZmqContext()
        let push = try ZmqSocket(context, .push)
        try push.setHighWaterMark(1_000_000)
        try push.connect(layout.actions)
        let events = try ZmqSocket(context, .subscribe)
        try events.setHighWaterMark(1_000_000)
        try events.connect(layout.events)
        try events.subscribe("order")
        usleep(300_000)
        let publisher = BusPublisher(socket: push, source: "bench")

        let (market, token, price) = try Self.restingQuote(url)
        func action(_ id: String) -> Polypipe_Bus_V1_Action { BenchStages.action(id: id, market: market, token: token, price: price) }
        let run = UUID().uuidString.prefix(8)

        // Warm-up: market lookups cached, connections open.
        for index in 0..<50 { try publisher.publish(topic: "action", message: action("warm-\(run)-\(index)")) }
        _ = try Self.collect(events, count: 50, timeoutSeconds: 30)

        // The yardstick, measured in this run beside the running processes: one bare secp256k1
        // signature (the work tick-to-wire cannot avoid).
        let signingKey = try PrivateKey(hex: "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80")
        let digest = Keccak256.hash(utf8: "polypipe bench-pipeline")
        var sink: UInt8 = 0
        let bareSign = Bench.measure(5_000) { sink ^= (try? Secp256k1.sign(digest: digest, with: signingKey))?.v ?? 0 }
        if sink == 0xFF { print("") }

        // Phase 1: paced.
        var sentAt: [String: UInt64] = [:]
        let interval = 1_000_000_000 / UInt64(rate)
        let start = BusClock.nowNanos()
        for index in 0..<actions {
            let due = start + UInt64(index) * interval
            // Sleep, not spin: on a small host a spinning sender would take the core exec-proc needs.
            let now = BusClock.nowNanos()
            if now < due { usleep(UInt32((due - now) / 1_000)) }
            let id = "lat-\(run)-\(index)"
            let envelope = try publisher.publish(topic: "action", message: action(id))
            sentAt[id] = envelope.sentAtNanos
        }
        let paced = try Self.collect(events, count: actions, timeoutSeconds: 60)
        var latencies: [Double] = [], busHops: [Double] = [], inExec: [Double] = []
        var outcomes: [Polypipe_Bus_V1_Outcome: Int] = [:]
        for event in paced {
            outcomes[event.outcome, default: 0] += 1
            guard let sent = sentAt[event.actionID], event.sentAtNs >= sent else { continue }
            latencies.append(Double(event.sentAtNs - sent) / 1_000)
            // Where it went: the bus (send → exec-proc's loop holds the frames, wake-up included),
            // then exec-proc (decode, duplicate check, validate, risk, sign, journal).
            if event.receivedAtNs >= sent && event.sentAtNs >= event.receivedAtNs {
                busHops.append(Double(event.receivedAtNs - sent) / 1_000)
                inExec.append(Double(event.sentAtNs - event.receivedAtNs) / 1_000)
            }
        }
        latencies.sort()
        busHops.sort()
        inExec.sort()
        func percentile(_ p: Double, of samples: [Double]) -> Double {
            samples.isEmpty ? .nan : samples[min(samples.count - 1, Int(Double(samples.count) * p))]
        }
        func percentile(_ p: Double) -> Double { percentile(p, of: latencies) }

        // Phase 2: as fast as possible.
        let burstStart = BusClock.nowNanos()
        for index in 0..<burst { try publisher.publish(topic: "action", message: action("tp-\(run)-\(index)")) }
        let burstEvents = try Self.collect(events, count: burst, timeoutSeconds: 120)
        let burstEnd = burstEvents.map(\.sentAtNs).max() ?? burstStart
        let accepted = burstEvents.filter { $0.outcome == (mode == "paper" ? .accepted : .dryRun) }.count
        let seconds = Double(burstEnd - burstStart) / 1e9

        print("pipeline bench: clob-sim + exec-proc (\(mode)), actions over ipc://, \(ProcessInfo.processInfo.activeProcessorCount) cores"
              + (cpu.map { ", bench and exec-proc on CPU \($0)" } ?? "") + (busyPollUs > 0 ? ", exec-proc busy-polls \(busyPollUs) us" : ""))
        print(String(format: "tick-to-wire at %d actions/s, %d actions: p50 %.1f us, p90 %.1f us, p99 %.1f us, max %.1f us",
                     rate, latencies.count, percentile(0.5), percentile(0.9), percentile(0.99), latencies.last ?? .nan))
        print(String(format: "  bare secp256k1 sign (this run): median %.1f us; tick-to-wire / sign: p50 %.1f x, p99 %.1f x (targets <= 5, <= 15)",
                     bareSign.median, percentile(0.5) / bareSign.median, percentile(0.99) / bareSign.median))
        print(String(format: "  bus (stamped and sent -> exec-proc holds it, wake-up included): p50 %.1f us, p99 %.1f us",
                     percentile(0.5, of: busHops), percentile(0.99, of: busHops)))
        print(String(format: "  exec-proc (decode, checks, risk, sign, journal -> transport): p50 %.1f us, p99 %.1f us",
                     percentile(0.5, of: inExec), percentile(0.99, of: inExec)))
        print("  outcomes: " + outcomes.map { "\($0.key)=\($0.value)" }.sorted().joined(separator: " "))
        print(String(format: "sustained: %d actions, %d \(mode == "paper" ? "accepted by clob-sim" : "signed and journaled (dry-run)") in %.2f s = %.0f orders/s",
                     burst, accepted, seconds, Double(accepted) / max(seconds, 1e-9)))
    }

    static func line(_ pipe: Pipe, prefix: String) throws -> String {
        var data = Data()
        while !data.contains(0x0A) {
            let chunk = pipe.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            data.append(chunk)
        }
        let text = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        guard text.hasPrefix(prefix) else { throw ValidationError("a child did not start: expected '\(prefix)…', got '\(text.prefix(200))'") }
        return String(text.dropFirst(prefix.count))
    }

    /// A token of the current 15-minute window and a price 0.10 under its best ask (rests).
    static func restingQuote(_ url: String) throws -> (String, String, UInt64) {
        let transport = try CurlTransport(baseURL: url)
        let gamma = GammaClient(transport: transport)
        let venue = ClobClient(transport: transport, chain: .polygon)
        for _ in 0..<50 {
            let window = UpDownWindow(containing: Int64(Date().timeIntervalSince1970), length: .fifteenMinutes)
            if let market = try? gamma.upDownMarket(window) {
                for token in [market.upToken, market.downToken] {
                    let book = try venue.book(token)
                    if let ask = book.bestAsk?.price.micros, book.bestBid != nil, ask > 150_000 {
                        return (market.conditionID, token.description, (ask - 100_000) / 10_000 * 10_000)
                    }
                }
            }
            usleep(100_000)
        }
        throw ValidationError("clob-sim has no quoted 15-minute window")
    }

    static func collect(_ socket: ZmqSocket, count: Int, timeoutSeconds: Double) throws -> [Polypipe_Bus_V1_OrderEvent] {
        var events: [Polypipe_Bus_V1_OrderEvent] = []
        let deadline = Date().addingTimeInterval(timeoutSeconds)
        while events.count < count && Date() < deadline {
            guard let frames = try socket.receive(timeoutMilliseconds: 200) else { continue }
            let envelope = try Envelope(frames: frames)
            events.append(try Polypipe_Bus_V1_OrderEvent(busPayload: envelope.payload, topic: envelope.topic))
        }
        guard events.count == count else { throw ValidationError("only \(events.count) of \(count) order events arrived") }
        return events
    }
}
