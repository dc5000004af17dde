import Foundation
import Logging
import PolypipeCore
import PolypipeRuntime

/// One thread's event loop over ZeroMQ sockets and file descriptors, with named handlers: the
/// main loop of exec-proc, fill-proc and recon-proc.
///
/// ```swift
/// let loop = PollLoop(logger: logger)
/// loop.on(actions, name: "actions") { now in drainActions() }
/// loop.every(milliseconds: 1_000, name: "status", first: .now) { now in publishStatus() }
/// loop.run(runtime)   // until SIGTERM/SIGINT
/// runtime.shutdown([...])
/// ```
///
/// Each pass:
/// 1. waits in `zmq_poll` for up to one tick (100 ms) for a registered socket or descriptor,
///    or for the stop (``StopSource/fileDescriptor``), whichever comes first;
/// 2. runs the ``beforeEachPass(name:_:)`` handlers;
/// 3. runs the handler of every socket or descriptor that is readable;
/// 4. runs the ``every(milliseconds:name:first:_:)`` handlers that are due;
/// 5. feeds the systemd watchdog (``ProcessRuntime/watchdogIfDue(nowMillis:)``).
///
/// **Busy polling** (`busyPollMicros` > 0, off by default): for that long after the last pass
/// that had work, the loop polls without waiting instead of sleeping in the kernel, and empty
/// polls run no handler (unless a timer is due). A message arriving in that window is seen
/// without a thread wake-up — on a VM, where waking an idle core costs tens of microseconds,
/// that halves the bus hop — at the price of one core kept busy while messages keep coming.
///
/// Rules:
/// - Within a step, handlers run in registration order; names are unique (a repeat traps), and
///   appear in the loop's start line and in its error logs.
/// - A socket handler must take everything readable (`receiveNow()` until nil): the poll is
///   level-triggered, so what is left is simply seen again next pass.
/// - A periodic handler runs when its interval has passed since it last *returned*: a slow
///   handler is never run twice in a row to catch up.
/// - A failed poll is logged and retried after one tick; the loop never ends on it.
/// - The loop, its sockets and its handlers belong to the thread that calls ``run(_:)``
///   (ZeroMQ sockets are not thread-safe); register every handler before that.
public final class PollLoop {
    /// When a periodic handler first runs.
    public enum FirstRun {
        /// On the first pass.
        case now
        /// One interval after ``run(_:)`` starts.
        case afterInterval
    }

    private enum Source {
        case socket(ZmqSocket)
        case descriptor(Int32)
    }

    private struct Timer {
        let name: String
        let intervalMillis: Int64
        var dueAtMillis: Int64?
        let first: FirstRun
        let handler: (Int64) -> Void
    }

    private let logger: Logger
    private let tickMillis: Int32
    private let busyPollNanos: UInt64
    private let clock: () -> Int64
    private var sources: [(name: String, source: Source, handler: (Int64) -> Void)] = []
    private var passHandlers: [(name: String, handler: (Int64) -> Void)] = []
    private var timers: [Timer] = []
    private var names: Set<String> = []

    /// - Parameters:
    ///   - tickMillis: the longest one poll waits: how late a due timer or a stop without a
    ///     descriptor may run.
    ///   - busyPollMicros: how long after the last work the loop keeps polling without
    ///     sleeping (0: never; see "Busy polling" above).
    ///   - clock: unix milliseconds (handlers get it as `now`).
    public init(logger: Logger, tickMillis: Int32 = 100, busyPollMicros: UInt32 = 0,
                clock: @escaping () -> Int64 = { BusClock.nowMillis() }) {
        self.logger = logger
        self.tickMillis = tickMillis
        self.busyPollNanos = UInt64(busyPollMicros) * 1_000
        self.clock = clock
    }

    /// The registered handlers' names, in the order they run within a pass.
    public var handlerNames: [String] { passHandlers.map(\.name) + sources.map(\.name) + timers.map(\.name) }

    /// Runs `handler` (with the pass's `now`) on each pass where `socket` has a message.
    public func on(_ socket: ZmqSocket, name: String, _ handler: @escaping (_ nowMillis: Int64) -> Void) {
        register(name)
        sources.append((name, .socket(socket), handler))
    }

    /// Runs `handler` (with the pass's `now`) on each pass where `wakeup` was signalled (the
    /// handler drains it).
    public func on(_ wakeup: Wakeup, name: String, _ handler: @escaping (_ nowMillis: Int64) -> Void) {
        register(name)
        sources.append((name, .descriptor(wakeup.fileDescriptor), handler))
    }

    /// Runs `handler` at the start of every pass, before any socket handler (with the pass's
    /// `now`).
    public func beforeEachPass(name: String, _ handler: @escaping (_ nowMillis: Int64) -> Void) {
        register(name)
        passHandlers.append((name, handler))
    }

    /// Runs `handler` every `milliseconds` (0: every pass), after the socket handlers.
    public func every(milliseconds: Int64, name: String, first: FirstRun = .afterInterval,
                      _ handler: @escaping (_ nowMillis: Int64) -> Void) {
        register(name)
        timers.append(Timer(name: name, intervalMillis: max(0, milliseconds), dueAtMillis: nil, first: first, handler: handler))
    }

    /// Runs passes until `runtime`'s stop is requested, feeding its watchdog.
    public func run(_ runtime: ProcessRuntime) {
        run(stop: runtime.stop) { runtime.watchdogIfDue(nowMillis: $0) }
    }

    /// Runs passes until `stop` is requested; `afterEachPass` gets each pass's `now` last.
    public func run(stop: StopSource, afterEachPass: (Int64) -> Void = { _ in }) {
        let sockets = sources.compactMap { entry -> ZmqSocket? in
            if case .socket(let socket) = entry.source { return socket }
            return nil
        }
        var descriptors = sources.compactMap { entry -> Int32? in
            if case .descriptor(let fd) = entry.source { return fd }
            return nil
        }
        if let stopDescriptor = stop.fileDescriptor { descriptors.append(stopDescriptor) }
        // zmq_poll answers sockets first, then descriptors, each in the order given: map its
        // answer back to the registrations once, here, so no caller reads an index.
        var socketIndex = 0
        var descriptorIndex = sockets.count
        let slots: [Int] = sources.map { entry in
            switch entry.source {
            case .socket: defer { socketIndex += 1 }; return socketIndex
            case .descriptor: defer { descriptorIndex += 1 }; return descriptorIndex
            }
        }
        let start = clock()
        for index in timers.indices {
            timers[index].dueAtMillis = timers[index].first == .now ? start : start + timers[index].intervalMillis
        }
        logger.info("event loop running", metadata: ["handlers": "\(handlerNames.joined(separator: ", "))",
                                                     "busy_poll_us": "\(busyPollNanos / 1_000)"])

        var lastWorkNanos: UInt64 = 0
        while !stop.isRequested() {
            let ready: [Bool]
            do {
                let spinning = busyPollNanos > 0 && BusClock.nowNanos() &- lastWorkNanos < busyPollNanos
                ready = try ZmqSocket.poll(sockets, fileDescriptors: descriptors, timeoutMilliseconds: spinning ? 0 : tickMillis)
                if busyPollNanos > 0 {
                    if ready.contains(true) {
                        lastWorkNanos = BusClock.nowNanos()
                    } else if spinning && !timerDue(clock()) {
                        continue
                    }
                }
            } catch {
                logger.error("bus poll failed", metadata: ["error": "\(error)", "handlers": "\(sources.map(\.name))"])
                usleep(UInt32(tickMillis) * 1_000)
                continue
            }
            if stop.isRequested() { break }
            let now = clock()
            for pass in passHandlers { pass.handler(now) }
            for (entry, slot) in zip(sources, slots) where ready[slot] { entry.handler(now) }
            for index in timers.indices {
                guard let due = timers[index].dueAtMillis, now >= due else { continue }
                timers[index].handler(now)
                timers[index].dueAtMillis = clock() + timers[index].intervalMillis
            }
            afterEachPass(now)
        }
    }

    private func timerDue(_ now: Int64) -> Bool {
        timers.contains { timer in timer.dueAtMillis.map { now >= $0 } ?? false }
    }

    private func register(_ name: String) {
        precondition(names.insert(name).inserted, "PollLoop: a handler named \(name) is already registered")
    }
}
